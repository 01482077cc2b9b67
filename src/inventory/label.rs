//! The labels admins give devices (`v6scout label`): one per MAC, one MAC per label
//! (ignoring case). Each change is one transaction, like every write.

use super::codec::{mac_blob, mac_from, to_ms};
use super::error::InventoryError;
use super::{sql, Inventory};
use crate::mac::Mac;
use crate::report::{fold_label, Labels};
use rusqlite::{params, OptionalExtension};
use std::time::SystemTime;

/// What [`Inventory::set_label`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelSet {
    /// The device has the label now; `previous` is the one it had before, if any.
    Set {
        /// Its label before.
        previous: Option<String>,
    },
    /// Nothing changed: another device already has this label (ignoring case).
    Taken {
        /// The device that has it.
        by: Mac,
    },
}

impl Inventory {
    /// Every label, by MAC.
    pub fn labels(&self) -> Result<Labels, InventoryError> {
        let run = || -> rusqlite::Result<Labels> {
            let mut stmt = self.conn.prepare_cached(sql::LABELS)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (mac, label): (Vec<u8>, String) = row?;
                out.extend(mac_from(&mac).map(|m| (m, label)));
            }
            Ok(out.into_iter().collect())
        };
        run().map_err(|e| InventoryError::sqlite(self.path(), &e))
    }

    /// Gives device `mac` the label `label` (checked by the caller: see
    /// [`crate::query::check_label`]), replacing the one it had, at time `now` — unless
    /// another device has that label already. One transaction: two processes labelling at
    /// once never give one label to two devices.
    pub fn set_label(
        &mut self,
        mac: Mac,
        label: &str,
        now: SystemTime,
    ) -> Result<LabelSet, InventoryError> {
        let folded = fold_label(label);
        let now = to_ms(now);
        self.write(|tx| {
            let holder: Option<Vec<u8>> = tx
                .prepare_cached(sql::LABEL_HOLDER)?
                .query_row([&folded], |r| r.get(0))
                .optional()?;
            if let Some(by) = holder.as_deref().and_then(mac_from) {
                if by != mac {
                    return Ok(LabelSet::Taken { by });
                }
            }
            let previous: Option<String> = tx
                .prepare_cached(sql::LABEL_OF)?
                .query_row([mac_blob(mac)], |r| r.get(0))
                .optional()?;
            tx.prepare_cached(sql::LABEL_UPSERT)?.execute(params![
                mac_blob(mac),
                label,
                folded,
                now
            ])?;
            Ok(LabelSet::Set { previous })
        })
    }

    /// Takes device `mac`'s label away; returns the label it had (`None`: it had none).
    pub fn remove_label(&mut self, mac: Mac) -> Result<Option<String>, InventoryError> {
        self.write(|tx| {
            let previous: Option<String> = tx
                .prepare_cached(sql::LABEL_OF)?
                .query_row([mac_blob(mac)], |r| r.get(0))
                .optional()?;
            tx.prepare_cached(sql::LABEL_DELETE)?
                .execute([mac_blob(mac)])?;
            Ok(previous)
        })
    }
}
