-- Statistics (issue #8): an act line keeps how its copy was classed on the
-- act's day (record, material type, language, knowledge group), so the
-- fund report of a past year does not change when a record is re-classed
-- later. Lines written before this migration are classed as their records
-- are now. Mirrored in migrations/sqlite and migrations/postgres.
ALTER TABLE accession_lines ADD COLUMN record_id TEXT;
ALTER TABLE accession_lines ADD COLUMN material_type TEXT;
ALTER TABLE accession_lines ADD COLUMN language TEXT;
ALTER TABLE accession_lines ADD COLUMN kazakh BOOLEAN;
ALTER TABLE accession_lines ADD COLUMN knowledge_area TEXT;
ALTER TABLE write_off_lines ADD COLUMN record_id TEXT;
ALTER TABLE write_off_lines ADD COLUMN material_type TEXT;
ALTER TABLE write_off_lines ADD COLUMN language TEXT;
ALTER TABLE write_off_lines ADD COLUMN kazakh BOOLEAN;
ALTER TABLE write_off_lines ADD COLUMN knowledge_area TEXT;

UPDATE accession_lines SET
    record_id = (SELECT c.record_id FROM copies c WHERE c.id = accession_lines.copy_id),
    material_type = (SELECT c.material_type FROM copies c WHERE c.id = accession_lines.copy_id),
    language = (SELECT r.language FROM copies c JOIN records r ON r.id = c.record_id
                WHERE c.id = accession_lines.copy_id),
    kazakh = (SELECT r.kazakh FROM copies c JOIN records r ON r.id = c.record_id
              WHERE c.id = accession_lines.copy_id),
    knowledge_area = (SELECT r.knowledge_area FROM copies c JOIN records r ON r.id = c.record_id
                      WHERE c.id = accession_lines.copy_id);

UPDATE write_off_lines SET
    record_id = (SELECT c.record_id FROM copies c WHERE c.id = write_off_lines.copy_id),
    material_type = (SELECT c.material_type FROM copies c WHERE c.id = write_off_lines.copy_id),
    language = (SELECT r.language FROM copies c JOIN records r ON r.id = c.record_id
                WHERE c.id = write_off_lines.copy_id),
    kazakh = (SELECT r.kazakh FROM copies c JOIN records r ON r.id = c.record_id
              WHERE c.id = write_off_lines.copy_id),
    knowledge_area = (SELECT r.knowledge_area FROM copies c JOIN records r ON r.id = c.record_id
                      WHERE c.id = write_off_lines.copy_id);

-- A change of owning library names both libraries (events written before
-- this kept only the new one; the redistribution transfer received at the
-- same instant names the old).
UPDATE exchange_events SET
    from_branch_id = (SELECT t.from_branch_id FROM exchange_events e2
                      JOIN transfers t ON t.id = e2.transfer_id
                      WHERE e2.copy_id = exchange_events.copy_id AND e2.at = exchange_events.at
                        AND e2.kind = 'received' AND t.reason = 'redistribution'),
    to_branch_id = branch_id
WHERE kind = 'redistributed' AND from_branch_id IS NULL;

-- The fund held on a past day undoes the later changes of owning library.
CREATE INDEX exchange_events_kind ON exchange_events (kind, at);
