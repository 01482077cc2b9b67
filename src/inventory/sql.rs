//! The SQL of the inventory: the schema of each version and every statement.
//!
//! Encodings (see `codec.rs`): times are integer milliseconds since the Unix epoch, MACs
//! 6-byte blobs, IPv6 addresses 16-byte blobs, IPv4 addresses integers, `seen_by` the
//! comma-separated output names, `names` a JSON array of strings.

/// Schema version 1: interfaces, devices, their IPv6 and IPv4 addresses.
pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE interface (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    mac        BLOB UNIQUE,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
-- Interfaces without a MAC are known by their name alone, so it must be unique there.
CREATE UNIQUE INDEX interface_name_without_mac ON interface(name) WHERE mac IS NULL;

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
CREATE INDEX device_last_seen ON device(last_seen);

CREATE TABLE address (
    device_id  INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    address    BLOB NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    seen_by    TEXT NOT NULL,
    iid        TEXT NOT NULL,
    PRIMARY KEY (device_id, address)
) WITHOUT ROWID;
CREATE INDEX address_last_seen ON address(last_seen);

CREATE TABLE ipv4 (
    device_id  INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,
    address    INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (device_id, address)
) WITHOUT ROWID;
CREATE INDEX ipv4_address ON ipv4(address);
";

/// Schema version 2: what each router last advertised (for the link-health alerts: a
/// router not seen before, a prefix no known router advertises).
pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE advert (
    device_id  INTEGER PRIMARY KEY REFERENCES device(id) ON DELETE CASCADE,
    lifetime   INTEGER NOT NULL,
    preference TEXT NOT NULL,
    prefixes   TEXT NOT NULL,
    last_seen  INTEGER NOT NULL
);
";

/// The label table, in the file (`""`) or only on one connection (`"TEMP "`).
macro_rules! label_table {
    ($temp:literal) => {
        concat!(
            "CREATE ",
            $temp,
            "TABLE label (
    mac    BLOB PRIMARY KEY,
    label  TEXT NOT NULL,
    folded TEXT NOT NULL UNIQUE,
    set_at INTEGER NOT NULL
) WITHOUT ROWID;"
        )
    };
}

/// Schema version 3: the names admins gave devices (`v6scout label`). A label belongs to a
/// MAC, not to one interface's row of it, and names one MAC at most: `folded` is the label
/// in lower case, unique, so two devices never share a label whatever its case.
pub(crate) const SCHEMA_V3: &str = label_table!("");

/// For a file read without migrating it from before version 3: an empty label table of
/// this connection's own, so every read works unchanged.
pub(crate) const NO_LABELS_YET: &str = label_table!("TEMP ");

/// Schema version 4: the interfaces of other sites, whose devices a hub records
/// (`v6scout collect`). `site` is NULL for this machine's own interfaces and the site's
/// name for another's; a site's interface is known by its site and name (its MAC, if it
/// has one, is not recorded), so another site's `eth0` is never this machine's `eth0`.
pub(crate) const SCHEMA_V4: &str = "
ALTER TABLE interface ADD COLUMN site TEXT;
DROP INDEX interface_name_without_mac;
CREATE UNIQUE INDEX interface_local_name ON interface(name) WHERE mac IS NULL AND site IS NULL;
CREATE UNIQUE INDEX interface_site_name ON interface(site, name) WHERE site IS NOT NULL;
";

/// For a file read without migrating it from before version 4: a view of this
/// connection's own that shadows the interface table with every interface this
/// machine's (no site), so every read works unchanged.
pub(crate) const NO_SITES_YET: &str =
    "CREATE TEMP VIEW interface AS SELECT *, NULL AS site FROM main.interface;";

pub(crate) const LABELS: &str = "SELECT mac, label FROM label ORDER BY mac";
pub(crate) const LABEL_HOLDER: &str = "SELECT mac FROM label WHERE folded = ?1";
pub(crate) const LABEL_OF: &str = "SELECT label FROM label WHERE mac = ?1";
pub(crate) const LABEL_UPSERT: &str = "INSERT INTO label (mac, label, folded, set_at)
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (mac) DO UPDATE SET label = excluded.label, folded = excluded.folded,
    set_at = excluded.set_at";
pub(crate) const LABEL_DELETE: &str = "DELETE FROM label WHERE mac = ?1";
/// A label goes with the last device of its MAC (labels belong to remembered devices).
pub(crate) const PRUNE_LABELS: &str = "DELETE FROM label WHERE mac NOT IN (SELECT mac FROM device)";

pub(crate) const ADVERT_UPSERT: &str = "INSERT INTO advert
    (device_id, lifetime, preference, prefixes, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (device_id) DO UPDATE SET lifetime = excluded.lifetime,
    preference = excluded.preference, prefixes = excluded.prefixes,
    last_seen = max(last_seen, excluded.last_seen)";

/// The routers of an interface, with what each last advertised when known.
pub(crate) const KNOWN_ROUTERS: &str = "SELECT d.mac, a.lifetime, a.preference, a.prefixes
    FROM device d LEFT JOIN advert a ON a.device_id = d.id
    WHERE d.interface_id = ?1 AND d.router = 1 ORDER BY d.id";

/// Every stored address of an interface with its device's MAC, oldest sighting first (so
/// the newest MAC of an address is the last one read).
pub(crate) const ADDRESS_MACS: &str = "SELECT a.address, d.mac FROM address a
    JOIN device d ON d.id = a.device_id
    WHERE d.interface_id = ?1 ORDER BY a.last_seen, d.id";

pub(crate) const IFACE_HAS_DEVICES: &str =
    "SELECT EXISTS (SELECT 1 FROM device WHERE interface_id = ?1)";

// This machine's interfaces have no site: a lookup by MAC or name never finds another
// site's.
pub(crate) const IFACE_BY_MAC: &str = "SELECT id FROM interface WHERE mac = ?1 AND site IS NULL";
pub(crate) const IFACE_BY_NAME: &str =
    "SELECT id FROM interface WHERE name = ?1 AND mac IS NULL AND site IS NULL";
pub(crate) const IFACE_BY_SITE: &str = "SELECT id FROM interface WHERE site = ?1 AND name = ?2";
pub(crate) const IFACE_INSERT: &str =
    "INSERT INTO interface (name, mac, site, first_seen, last_seen)
    VALUES (?1, ?2, ?3, ?4, ?4)";
// A renamed adapter (same MAC) takes its new name.
pub(crate) const IFACE_TOUCH: &str =
    "UPDATE interface SET name = ?2, last_seen = max(last_seen, ?3) WHERE id = ?1";

pub(crate) const DEVICE_GET: &str =
    "SELECT id, names FROM device WHERE interface_id = ?1 AND mac = ?2";
pub(crate) const DEVICE_INSERT: &str = "INSERT INTO device
    (interface_id, mac, vendor, names, router, first_seen, last_seen)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
pub(crate) const DEVICE_UPDATE: &str = "UPDATE device SET
    vendor = coalesce(?2, vendor), names = ?3, router = max(router, ?4),
    first_seen = min(first_seen, ?5), last_seen = max(last_seen, ?5)
    WHERE id = ?1";

pub(crate) const ADDR_GET: &str =
    "SELECT seen_by FROM address WHERE device_id = ?1 AND address = ?2";
pub(crate) const ADDR_INSERT: &str = "INSERT INTO address
    (device_id, address, first_seen, last_seen, seen_by, iid)
    VALUES (?1, ?2, ?3, ?3, ?4, ?5)";
pub(crate) const ADDR_UPDATE: &str = "UPDATE address SET
    first_seen = min(first_seen, ?3), last_seen = max(last_seen, ?3), seen_by = ?4, iid = ?5
    WHERE device_id = ?1 AND address = ?2";
// Keeps the newest ?2 addresses of a device.
pub(crate) const ADDR_TRIM: &str = "DELETE FROM address WHERE device_id = ?1 AND address NOT IN
    (SELECT address FROM address WHERE device_id = ?1
     ORDER BY last_seen DESC, address LIMIT ?2)";

pub(crate) const IPV4_UPSERT: &str = "INSERT INTO ipv4 (device_id, address, first_seen, last_seen)
    VALUES (?1, ?2, ?3, ?3)
    ON CONFLICT (device_id, address) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)";
pub(crate) const IPV4_TRIM: &str = "DELETE FROM ipv4 WHERE device_id = ?1 AND address NOT IN
    (SELECT address FROM ipv4 WHERE device_id = ?1
     ORDER BY last_seen DESC, address LIMIT ?2)";

pub(crate) const RECALL: &str = "SELECT a.address FROM address a
    JOIN device d ON d.id = a.device_id
    WHERE d.interface_id = ?1 AND a.last_seen >= ?2
    ORDER BY a.last_seen DESC, a.address LIMIT ?3";

/// One device's addresses, newest first.
pub(crate) const DEVICE_RECALL: &str = "SELECT a.address FROM address a
    JOIN device d ON d.id = a.device_id
    WHERE d.interface_id = ?1 AND d.mac = ?2
    ORDER BY a.last_seen DESC, a.address LIMIT ?3";

pub(crate) const LAST_SEEN: &str =
    "SELECT last_seen FROM device WHERE interface_id = ?1 AND mac = ?2";

/// The columns every device read selects, in the order `store::device_row` reads them.
macro_rules! device_columns {
    () => {
        "SELECT d.id, i.name, i.mac, d.mac, d.vendor, d.names, d.router, d.first_seen, d.last_seen,
         (SELECT l.label FROM label l WHERE l.mac = d.mac), i.site
         FROM device d JOIN interface i ON i.id = d.interface_id"
    };
}

pub(crate) const DEVICES: &str = concat!(
    device_columns!(),
    " WHERE d.last_seen >= ?1 ORDER BY d.last_seen DESC, d.id"
);
pub(crate) const DEVICES_BY_IPV4: &str = concat!(
    device_columns!(),
    " JOIN ipv4 v ON v.device_id = d.id WHERE v.address = ?1 ORDER BY v.last_seen DESC, d.id"
);
pub(crate) const DEVICE_ADDRESSES: &str =
    "SELECT address, first_seen, last_seen, seen_by, iid FROM address
     WHERE device_id = ?1 ORDER BY last_seen DESC, address";
pub(crate) const DEVICE_IPV4: &str =
    "SELECT address, last_seen FROM ipv4 WHERE device_id = ?1 ORDER BY last_seen DESC, address";

// Devices go with their addresses (ON DELETE CASCADE); addresses and interfaces not seen
// since then go on their own.
pub(crate) const PRUNE_DEVICES: &str = "DELETE FROM device WHERE last_seen < ?1";
pub(crate) const PRUNE_ADDRESSES: &str = "DELETE FROM address WHERE last_seen < ?1";
pub(crate) const PRUNE_IPV4: &str = "DELETE FROM ipv4 WHERE last_seen < ?1";
pub(crate) const PRUNE_INTERFACES: &str = "DELETE FROM interface WHERE last_seen < ?1
    AND NOT EXISTS (SELECT 1 FROM device WHERE device.interface_id = interface.id)";
