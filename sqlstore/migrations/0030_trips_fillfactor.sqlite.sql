-- PostgreSQL only (a table storage parameter).
SELECT 1;
