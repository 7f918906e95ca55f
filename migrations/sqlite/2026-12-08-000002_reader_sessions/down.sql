DROP TABLE reader_sessions;
