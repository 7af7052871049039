"""Prepared statements (COM_STMT_PREPARE / COM_STMT_EXECUTE) with MySQL Connector/Python."""
import sys
import mysql.connector

port = int(sys.argv[1])
db = mysql.connector.connect(host="127.0.0.1", port=port, user="k", password="k", database="shop", ssl_disabled=True)
cur = db.cursor(prepared=True)
for i in (1, 2, 3, 99):
    cur.execute("SELECT name FROM items WHERE id = %s", (i,))
    print("select", i, "rows", len(cur.fetchall()))
try:
    cur.execute("INSERT INTO items VALUES (%s, %s)", (1, "duplicate"))
except mysql.connector.Error as e:
    print("error", e.errno)
db.close()
