-- PostgreSQL only (its vacuum settings and its B-tree deduplication);
-- SQLite reuses a page's free space without a vacuum, and its index on
-- (trip_id, seq) would lose only seq's few bytes an entry without it.
SELECT 1;
