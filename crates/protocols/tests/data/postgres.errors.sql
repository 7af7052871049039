\set VERBOSITY verbose
SELECT 1;
SELECT * FROM no_such_table;
SELECT 1/0;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 5, now());
SELEKT 'typo';
SELECT aid, abalance FROM pgbench_accounts WHERE aid < 4;
