-- An inventory file of schema version 2, as v6scout 0.1.0 (commit 1f59717) wrote it:
-- three records over two interfaces (one without a MAC), a router with its advert, an
-- IPv4 address, and one MAC on both interfaces. Made by recording with that build, then
-- `sqlite3 FILE .dump` (which leaves out user_version: set below).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE interface (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    mac        BLOB UNIQUE,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
INSERT INTO interface VALUES(1,'eth0',X'02ee00000001',1704067200000,1704074400000);
INSERT INTO interface VALUES(2,'wlan0',NULL,1704070800000,1704070800000);
CREATE TABLE device (
    id           INTEGER PRIMARY KEY,
    interface_id INTEGER NOT NULL REFERENCES interface(id) ON DELETE CASCADE,
    mac          BLOB NOT NULL,
    vendor       TEXT,
    names        TEXT NOT NULL DEFAULT '[]',
    router       INTEGER NOT NULL DEFAULT 0,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    UNIQUE (interface_id, mac)
);
INSERT INTO device VALUES(1,1,X'001b00000001','Raspberry Pi Foundation','["rpi.local"]',0,1704067200000,1704070800000);
INSERT INTO device VALUES(2,1,X'001b00000002','Acme Corp','[]',1,1704067200000,1704074400000);
INSERT INTO device VALUES(3,2,X'001b00000003','Acme Corp','[]',0,1704070800000,1704070800000);
INSERT INTO device VALUES(4,2,X'001b00000001','Acme Corp','[]',0,1704070800000,1704070800000);
CREATE TABLE address (
    device_id  INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    address    BLOB NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    seen_by    TEXT NOT NULL,
    iid        TEXT NOT NULL,
    PRIMARY KEY (device_id, address)
) WITHOUT ROWID;
INSERT INTO address VALUES(1,X'fe800000000000000000000100000001',1704067200000,1704070800000,'echo','temporary');
INSERT INTO address VALUES(1,X'fe800000000000000000000100000002',1704067200000,1704070800000,'echo','temporary');
INSERT INTO address VALUES(2,X'fe800000000000000000000200000001',1704067200000,1704074400000,'echo','temporary');
INSERT INTO address VALUES(3,X'fe800000000000000000000300000001',1704070800000,1704070800000,'echo','temporary');
INSERT INTO address VALUES(4,X'fe800000000000000000000100000003',1704070800000,1704070800000,'echo','temporary');
CREATE TABLE ipv4 (
    device_id  INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    address    INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (device_id, address)
) WITHOUT ROWID;
INSERT INTO ipv4 VALUES(1,3221225991,1704067200000,1704070800000);
CREATE TABLE advert (
    device_id  INTEGER PRIMARY KEY REFERENCES device(id) ON DELETE CASCADE,
    lifetime   INTEGER NOT NULL,
    preference TEXT NOT NULL,
    prefixes   TEXT NOT NULL,
    last_seen  INTEGER NOT NULL
);
INSERT INTO advert VALUES(2,1800,'high','2001:db8:1::/64',1704074400000);
CREATE UNIQUE INDEX interface_name_without_mac ON interface(name) WHERE mac IS NULL;
CREATE INDEX device_last_seen ON device(last_seen);
CREATE INDEX address_last_seen ON address(last_seen);
CREATE INDEX ipv4_address ON ipv4(address);
PRAGMA user_version = 2;
COMMIT;
