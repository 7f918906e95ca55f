-- Why a failed import failed, as a stable code beside the message.
ALTER TABLE imports ADD COLUMN error_code TEXT;
