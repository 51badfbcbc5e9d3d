//! What the emulator serves of EdgeOne (docs/protocol.md §13): the zones
//! (`--edgeone-zone ZONE_ID=ZONE_NAME`) and each zone's content quotas per
//! type (`--edgeone-quota TYPE=BATCH:DAILY`).

use std::str::FromStr;

use tcdn_model::teo::{Hostname, QuotaType, ZoneId};

/// One EdgeOne zone (站点) the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeOneZone {
    /// Its id, e.g. `zone-2noz78a8ev6k`.
    pub zone_id: ZoneId,
    /// Its name, the site's domain, e.g. `example.com`: targets on it or on
    /// its subdomains belong to the zone.
    pub zone_name: Hostname,
}

impl FromStr for EdgeOneZone {
    type Err = String;

    /// `ZONE_ID=ZONE_NAME`, e.g. `zone-2noz78a8ev6k=example.com`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (id, name) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not ZONE_ID=ZONE_NAME"))?;
        Ok(Self {
            zone_id: ZoneId::new(id).map_err(|e| e.to_string())?,
            zone_name: Hostname::new(name).map_err(|e| e.to_string())?,
        })
    }
}

/// One content quota: targets per call (`Batch`) and per day (`Daily`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeOneQuota {
    /// Targets one call may carry (`LimitExceeded.BatchQuota` above).
    pub batch: u32,
    /// Targets a zone may submit per day (`LimitExceeded.DailyQuota` above).
    pub daily: u32,
}

/// The quota `DescribeContentQuota`'s documented example answers for every
/// type it lists (docs/protocol.md §13.5); the emulator gives
/// `purge_cache_tag`, which the example leaves out, the same.
pub const DEFAULT_EDGEONE_QUOTA: EdgeOneQuota = EdgeOneQuota {
    batch: 2000,
    daily: 10_000,
};

/// Each quota type's [`EdgeOneQuota`], the same for every zone; each zone
/// spends its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeOneQuotas {
    quotas: Vec<(QuotaType, EdgeOneQuota)>,
}

impl Default for EdgeOneQuotas {
    fn default() -> Self {
        Self {
            quotas: QuotaType::ALL
                .iter()
                .map(|&kind| (kind, DEFAULT_EDGEONE_QUOTA))
                .collect(),
        }
    }
}

impl EdgeOneQuotas {
    /// The quota of `kind`.
    pub fn get(&self, kind: QuotaType) -> EdgeOneQuota {
        self.quotas
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(DEFAULT_EDGEONE_QUOTA, |(_, quota)| *quota)
    }

    /// Sets the quota of `kind`.
    pub fn set(&mut self, kind: QuotaType, quota: EdgeOneQuota) {
        match self.quotas.iter_mut().find(|(k, _)| *k == kind) {
            Some(slot) => slot.1 = quota,
            None => self.quotas.push((kind, quota)),
        }
    }
}

/// One quota given on the command line: `TYPE=BATCH:DAILY`, e.g.
/// `purge_url=100:500`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaSetting {
    /// The type it sets.
    pub kind: QuotaType,
    /// Its quota.
    pub quota: EdgeOneQuota,
}

impl FromStr for QuotaSetting {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let shape = || format!("`{text}` is not TYPE=BATCH:DAILY (e.g. purge_url=100:500)");
        let (kind, numbers) = text.split_once('=').ok_or_else(shape)?;
        let (batch, daily) = numbers.split_once(':').ok_or_else(shape)?;
        let kind = QuotaType::from_wire(kind).ok_or_else(|| {
            let all: Vec<&str> = QuotaType::ALL.iter().map(|k| k.as_str()).collect();
            format!("`{kind}` is not a quota type ({})", all.join(", "))
        })?;
        let number = |n: &str| n.parse::<u32>().map_err(|_| shape());
        Ok(Self {
            kind,
            quota: EdgeOneQuota {
                batch: number(batch)?,
                daily: number(daily)?,
            },
        })
    }
}

/// The EdgeOne account the emulator stands in for: no zones by default, so
/// every EdgeOne call naming a zone is refused until some are given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeOne {
    /// The zones, in the order `DescribeZones` lists them.
    pub zones: Vec<EdgeOneZone>,
    /// The content quotas of every zone.
    pub quotas: EdgeOneQuotas,
}

impl EdgeOne {
    /// The zone of id `zone_id`.
    pub(crate) fn zone(&self, zone_id: &str) -> Option<&EdgeOneZone> {
        self.zones.iter().find(|z| z.zone_id.as_str() == zone_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_and_quotas_read_from_their_flags() {
        let zone: EdgeOneZone = "zone-2noz78a8ev6k=example.com".parse().unwrap();
        assert_eq!(zone.zone_id.as_str(), "zone-2noz78a8ev6k");
        assert_eq!(zone.zone_name.as_str(), "example.com");
        assert!("zone-1".parse::<EdgeOneZone>().is_err());
        assert!("zone-1=a..b".parse::<EdgeOneZone>().is_err());
        assert!("*=example.com".parse::<EdgeOneZone>().is_err());

        let setting: QuotaSetting = "purge_host=5:7".parse().unwrap();
        assert_eq!(setting.kind, QuotaType::PurgeHost);
        assert_eq!(setting.quota, EdgeOneQuota { batch: 5, daily: 7 });
        for bad in ["purge_host=5", "purge_hosts=5:7", "purge_host=5:x", "5:7"] {
            assert!(bad.parse::<QuotaSetting>().is_err(), "{bad}");
        }
        let mut quotas = EdgeOneQuotas::default();
        quotas.set(setting.kind, setting.quota);
        assert_eq!(quotas.get(QuotaType::PurgeHost).daily, 7);
        assert_eq!(quotas.get(QuotaType::PurgeUrl), DEFAULT_EDGEONE_QUOTA);
    }
}
