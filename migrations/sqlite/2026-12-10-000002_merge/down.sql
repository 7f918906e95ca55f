DROP TABLE record_sources;
DROP TABLE record_redirects;
DROP TABLE record_merges;
