SELECT id, name FROM shop.items WHERE id < 3;
SELECT * FROM shop.no_such_table;
INSERT INTO shop.items VALUES (4, 'fig');
UPDATE shop.items SET name = 'grape' WHERE id = 4;
SELEKT 1;
DELETE FROM shop.items WHERE id = 4;
SELECT COUNT(*) FROM shop.items;
