//! Parameter lists of the universe functions, so that a call with a misspelt or missing
//! argument is rejected before anything runs, as Flux's type checker does. Written as
//! `<-pipe required ?optional` (the names of Flux's own declarations).

use super::types::Sig;

const UNIVERSE: &[(&str, &str)] = &[
    ("from", "?bucket ?bucketID ?org ?orgID ?host ?token"),
    ("buckets", "?org ?orgID ?host ?token"),
    ("range", "<-tables start ?stop"),
    ("filter", "<-tables fn ?onEmpty"),
    ("map", "<-tables fn ?mergeKey"),
    ("keep", "<-tables ?columns ?fn"),
    ("drop", "<-tables ?columns ?fn"),
    ("rename", "<-tables ?columns ?fn"),
    ("duplicate", "<-tables column as"),
    ("set", "<-tables key value"),
    ("group", "<-tables ?columns ?mode"),
    ("limit", "<-tables n ?offset"),
    ("tail", "<-tables n ?offset"),
    ("sort", "<-tables ?columns ?desc"),
    ("top", "<-tables n ?columns"),
    ("bottom", "<-tables n ?columns"),
    ("unique", "<-tables ?column"),
    ("distinct", "<-tables ?column"),
    ("count", "<-tables ?column"),
    ("sum", "<-tables ?column"),
    ("mean", "<-tables ?column"),
    ("spread", "<-tables ?column"),
    ("skew", "<-tables ?column"),
    ("mode", "<-tables ?column"),
    ("first", "<-tables ?column"),
    ("last", "<-tables ?column"),
    ("min", "<-tables ?column"),
    ("max", "<-tables ?column"),
    ("median", "<-tables ?column ?method ?compression"),
    ("stddev", "<-tables ?column ?mode"),
    ("quantile", "<-tables ?column q ?compression ?method"),
    (
        "window",
        "<-tables ?every ?period ?offset ?location ?timeColumn ?startColumn ?stopColumn ?createEmpty",
    ),
    (
        "aggregateWindow",
        "<-tables every ?period fn ?offset ?location ?column ?timeSrc ?timeDst ?createEmpty",
    ),
    ("pivot", "<-tables rowKey columnKey valueColumn"),
    ("union", "tables"),
    ("join", "<-tables ?method ?on"),
    ("fill", "<-tables ?column ?value ?usePrevious"),
    (
        "difference",
        "<-tables ?nonNegative ?columns ?keepFirst ?initialZero",
    ),
    (
        "derivative",
        "<-tables ?unit ?nonNegative ?columns ?timeColumn ?initialZero",
    ),
    ("cumulativeSum", "<-tables ?columns"),
    ("movingAverage", "<-tables n"),
    ("timedMovingAverage", "<-tables every period ?column"),
    ("elapsed", "<-tables ?unit ?timeColumn ?columnName"),
    ("increase", "<-tables ?columns"),
    ("integral", "<-tables ?unit ?timeColumn ?column ?interpolate"),
    ("timeWeightedAvg", "<-tables unit"),
    ("truncateTimeColumn", "<-tables ?timeColumn unit"),
    ("timeShift", "<-tables duration ?columns"),
    ("columns", "<-tables ?column"),
    ("keys", "<-tables ?column"),
    ("tableFind", "<-tables fn"),
    ("getColumn", "<-table column"),
    ("getRecord", "<-table idx"),
    ("findColumn", "<-tables fn column"),
    ("findRecord", "<-tables fn idx"),
    ("yield", "<-tables ?name"),
    ("now", ""),
    ("today", ""),
    ("length", "<-arr"),
    ("contains", "value set"),
    ("die", "msg"),
    ("display", "v"),
    ("float", "v"),
    ("int", "v"),
    ("uint", "v"),
    ("string", "v"),
    ("bool", "v"),
    ("time", "v"),
    ("duration", "v"),
    ("bytes", "v"),
    ("toFloat", "<-tables"),
    ("toInt", "<-tables"),
    ("toUInt", "<-tables"),
    ("toString", "<-tables"),
    ("toBool", "<-tables"),
    ("toTime", "<-tables"),
    ("reduce", "<-tables fn identity"),
    ("stateCount", "<-tables fn ?column"),
    ("stateDuration", "<-tables fn ?column ?timeColumn ?unit"),
    ("sample", "<-tables n ?pos ?column"),
    ("highestMax", "<-tables n ?column ?groupColumns"),
    ("highestAverage", "<-tables n ?column ?groupColumns"),
    ("highestCurrent", "<-tables n ?column ?groupColumns"),
    ("lowestMin", "<-tables n ?column ?groupColumns"),
    ("lowestAverage", "<-tables n ?column ?groupColumns"),
    ("lowestCurrent", "<-tables n ?column ?groupColumns"),
    ("exponentialMovingAverage", "<-tables n"),
    ("doubleEMA", "<-tables n"),
    ("tripleEMA", "<-tables n"),
    ("kaufmansER", "<-tables n"),
    ("kaufmansAMA", "<-tables n ?column"),
    ("chandeMomentumOscillator", "<-tables n ?columns"),
    ("relativeStrengthIndex", "<-tables n ?columns"),
    ("tripleExponentialDerivative", "<-tables n"),
    (
        "histogram",
        "<-tables ?column ?upperBoundColumn ?countColumn bins ?normalize",
    ),
    (
        "histogramQuantile",
        "<-tables ?quantile ?countColumn ?upperBoundColumn ?valueColumn ?minValue ?onNonmonotonic",
    ),
    ("linearBins", "start width count ?infinity"),
    ("logarithmicBins", "start factor count ?infinity"),
    ("hourSelection", "<-tables start stop ?location ?timeColumn"),
    ("keyValues", "<-tables ?keyColumns"),
    ("covariance", "<-tables columns ?pearsonr ?valueDst"),
    ("cov", "x y on ?pearsonr"),
    ("pearsonr", "x y on"),
    (
        "holtWinters",
        "<-tables n interval ?withFit ?column ?timeColumn ?seasonality ?withMinSSE",
    ),
];

/// The parameters of a universe function, when this table knows them.
pub fn universe(name: &str) -> Option<Sig> {
    let (_, spec) = UNIVERSE.iter().find(|(n, _)| *n == name)?;
    let mut sig = Sig::default();
    for word in spec.split_whitespace() {
        if let Some(p) = word.strip_prefix("<-") {
            sig.pipe = Some(p.to_string());
        } else if let Some(o) = word.strip_prefix('?') {
            sig.optional.push(o.to_string());
        } else {
            sig.required.push(word.to_string());
        }
    }
    Some(sig)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_entry_names_a_universe_function() {
        for (name, _) in super::UNIVERSE {
            assert!(
                crate::stdlib::universe_has(name) || *name == "holtWinters",
                "{name}"
            );
        }
    }
}
