DROP TABLE import_duplicates;
ALTER TABLE imports DROP COLUMN attached_count;
ALTER TABLE imports DROP COLUMN on_duplicate;
DROP TABLE dedup_pair_decisions;
DROP TABLE dedup_scan_clusters;
DROP TABLE dedup_scans;
DROP TABLE record_match_blocks;
DROP TABLE record_match_keys;
