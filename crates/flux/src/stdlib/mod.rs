//! The standard library: universe builtins and the importable packages.

pub mod boundaries;
pub mod convert;
pub mod display;
pub mod experimental;
pub mod extra;
pub mod helpers;
pub mod json_parse;
pub mod monitor;
pub mod packages;
pub mod prometheus;
pub mod schema;
pub mod small_packages;
pub mod tdigest;
pub mod to;
pub mod universe;

use crate::eval::{BuiltinFn, Function};
use crate::time::Duration;
use crate::value::Value;
use convert as c;
use extra as x;
use packages as p;
use universe as u;

const T: Option<&str> = Some("tables");

/// Universe builtins: (name, pipe parameter, implementation).
const UNIVERSE: &[(&str, Option<&str>, BuiltinFn)] = &[
    ("from", None, u::from),
    ("range", T, u::range),
    ("filter", T, u::filter),
    ("yield", T, u::yield_),
    ("map", T, u::map),
    ("keep", T, u::keep),
    ("drop", T, u::drop),
    ("rename", T, u::rename),
    ("duplicate", T, u::duplicate),
    ("set", T, u::set),
    ("group", T, u::group),
    ("limit", T, u::limit),
    ("tail", T, u::tail),
    ("sort", T, u::sort),
    ("top", T, u::top),
    ("bottom", T, u::bottom),
    ("unique", T, u::unique),
    ("distinct", T, u::distinct),
    ("count", T, u::count),
    ("sum", T, u::sum),
    ("mean", T, u::mean),
    ("median", T, u::median),
    ("spread", T, u::spread),
    ("stddev", T, u::stddev_fn),
    ("quantile", T, u::quantile),
    ("min", T, u::min),
    ("max", T, u::max),
    ("first", T, u::first),
    ("last", T, u::last),
    ("window", T, u::window),
    ("aggregateWindow", T, u::aggregate_window),
    ("pivot", T, u::pivot),
    ("union", None, u::union),
    ("join", None, u::join),
    ("fill", T, u::fill),
    ("difference", T, u::difference),
    ("derivative", T, u::derivative),
    ("cumulativeSum", T, u::cumulative_sum),
    ("movingAverage", T, u::moving_average),
    ("timedMovingAverage", T, u::timed_moving_average),
    ("elapsed", T, u::elapsed),
    ("increase", T, u::increase),
    ("integral", T, u::integral),
    ("timeWeightedAvg", T, x::time_weighted_avg),
    ("truncateTimeColumn", T, u::truncate_time_column),
    ("timeShift", T, u::time_shift),
    ("columns", T, u::columns),
    ("keys", T, u::keys),
    ("tableFind", T, u::table_find),
    ("getColumn", T, u::get_column),
    ("getRecord", T, u::get_record),
    ("findColumn", T, u::find_column),
    ("findRecord", T, u::find_record),
    ("now", None, u::now),
    ("length", Some("arr"), u::length),
    ("contains", None, u::contains),
    ("buckets", None, u::buckets),
    ("to", T, to::to),
    ("die", None, u::die),
    ("display", None, display::display),
    ("float", None, c::float),
    ("int", None, c::int),
    ("uint", None, c::uint),
    ("string", None, c::string),
    ("bool", None, c::bool_),
    ("time", None, c::time_),
    ("duration", None, c::duration),
    ("bytes", None, c::bytes),
    ("toFloat", T, c::to_float_t),
    ("toInt", T, c::to_int_t),
    ("toUInt", T, c::to_uint_t),
    ("toString", T, c::to_string_t),
    ("toBool", T, c::to_bool_t),
    ("toTime", T, c::to_time_t),
    ("reduce", T, x::reduce),
    ("stateCount", T, x::state_count),
    ("stateDuration", T, x::state_duration),
    ("sample", T, x::sample),
    ("highestMax", T, x::highest_max),
    ("highestAverage", T, x::highest_average),
    ("highestCurrent", T, x::highest_current),
    ("lowestMin", T, x::lowest_min),
    ("lowestAverage", T, x::lowest_average),
    ("lowestCurrent", T, x::lowest_current),
    ("skew", T, x::skew),
    ("mode", T, x::mode),
    ("exponentialMovingAverage", T, x::exponential_moving_average),
    ("doubleEMA", T, x::double_ema),
    ("tripleEMA", T, x::triple_ema),
    ("linearBins", None, x::linear_bins),
    ("logarithmicBins", None, x::logarithmic_bins),
    ("histogram", T, x::histogram),
    ("histogramQuantile", T, x::histogram_quantile),
    ("keyValues", T, x::key_values),
    ("today", None, x::today),
    ("covariance", T, x::covariance),
    ("cov", None, x::cov),
    ("pearsonr", None, x::pearsonr),
    ("hourSelection", T, x::hour_selection),
    ("kaufmansER", T, x::kaufmans_er),
    ("kaufmansAMA", T, x::kaufmans_ama),
    ("chandeMomentumOscillator", T, x::chande_momentum_oscillator),
    ("relativeStrengthIndex", T, x::relative_strength_index),
    (
        "tripleExponentialDerivative",
        T,
        x::triple_exponential_derivative,
    ),
];

/// A universe identifier's value.
pub fn universe(name: &str) -> Option<Value> {
    match name {
        "inf" => return Some(Value::Duration(Duration::from_nanos(i64::MAX))),
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    UNIVERSE
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(n, pipe, f)| Function::builtin(n, *pipe, *f))
}

pub fn universe_has(name: &str) -> bool {
    matches!(name, "inf" | "true" | "false") || UNIVERSE.iter().any(|(n, _, _)| *n == name)
}

/// The value of an importable package, by import path.
pub fn package(path: &str) -> Option<Value> {
    use p::f;
    if let Some(v) = small_packages::package(path) {
        return Some(v);
    }
    if path == "influxdata/influxdb/monitor" {
        return Some(monitor::package());
    }
    if path == "experimental/json" {
        return Some(p::record(vec![f("parse", None, json_parse::parse)]));
    }
    if path == "experimental/prometheus" {
        return Some(p::record(vec![f(
            "histogramQuantile",
            T,
            prometheus::histogram_quantile,
        )]));
    }
    let fields: Vec<(&str, Value)> = match path {
        "testing" => vec![
            f("diff", Some("got"), p::testing_diff),
            f("assertEquals", Some("got"), p::testing_assert_equals),
            f("assertEmpty", T, p::testing_assert_empty),
            f("shouldError", None, p::testing_should_error),
            f("load", T, p::identity_tables),
            f("loadStorage", T, p::identity_tables),
            f("loadMem", T, p::identity_tables),
            f("assertEqualValues", None, p::testing_assert_equal_values),
        ],
        "csv" => vec![f("from", None, p::csv_from)],
        "array" => vec![
            f("from", Some("rows"), p::array_from),
            f("map", Some("arr"), p::array_map),
            f("filter", Some("arr"), p::array_filter),
            f("concat", Some("arr"), p::array_concat),
        ],
        "strings" => vec![
            f("toUpper", None, p::strings_to_upper),
            f("toLower", None, p::strings_to_lower),
            f("title", None, p::strings_title),
            f("trimSpace", None, p::strings_trim_space),
            f("trim", None, p::strings_trim),
            f("trimLeft", None, p::strings_trim_left),
            f("trimRight", None, p::strings_trim_right),
            f("trimPrefix", None, p::strings_trim_prefix),
            f("trimSuffix", None, p::strings_trim_suffix),
            f("containsStr", None, p::strings_contains_str),
            f("containsAny", None, p::strings_contains_any),
            f("hasPrefix", None, p::strings_has_prefix),
            f("hasSuffix", None, p::strings_has_suffix),
            f("index", None, p::strings_index),
            f("lastIndex", None, p::strings_last_index),
            f("split", None, p::strings_split),
            f("splitN", None, p::strings_split_n),
            f("joinStr", None, p::strings_join),
            f("replace", None, p::strings_replace),
            f("replaceAll", None, p::strings_replace_all),
            f("strlen", None, p::strings_strlen),
            f("substring", None, p::strings_substring),
            f("repeat", None, p::strings_repeat),
            f("equalFold", None, p::strings_equal_fold),
            f("compare", None, p::strings_compare),
            f("countStr", None, p::strings_count_str),
        ],
        "regexp" => vec![
            f("compile", None, p::regexp_compile),
            f("matchRegexpString", None, p::regexp_match),
            f("findString", None, p::regexp_find_string),
            f("findStringIndex", None, p::regexp_find_string_index),
            f("replaceAllString", None, p::regexp_replace_all),
            f("quoteMeta", None, p::regexp_quote_meta),
            f("splitRegexp", None, p::regexp_split),
        ],
        "math" => vec![
            ("pi", Value::Float(std::f64::consts::PI)),
            ("e", Value::Float(std::f64::consts::E)),
            ("maxint", Value::Int(i64::MAX)),
            ("minint", Value::Int(i64::MIN)),
            ("maxuint", Value::UInt(u64::MAX)),
            f("abs", None, p::math_abs),
            f("ceil", None, p::math_ceil),
            f("floor", None, p::math_floor),
            f("round", None, p::math_round),
            f("sqrt", None, p::math_sqrt),
            f("exp", None, p::math_exp),
            f("log", None, p::math_log),
            f("log10", None, p::math_log10),
            f("log2", None, p::math_log2),
            f("trunc", None, p::math_trunc),
            f("sin", None, p::math_sin),
            f("cos", None, p::math_cos),
            f("tan", None, p::math_tan),
            f("pow", None, p::math_pow),
            f("mod", None, p::math_mod),
            f("mMax", None, p::math_max),
            f("mMin", None, p::math_min),
            f("isNaN", None, p::math_is_nan),
            f("isInf", None, p::math_is_inf),
            f("Inf", None, p::math_inf),
            f("mInf", None, p::math_inf),
            f("acos", None, p::math_acos),
            f("acosh", None, p::math_acosh),
            f("asin", None, p::math_asin),
            f("asinh", None, p::math_asinh),
            f("atan", None, p::math_atan),
            f("atanh", None, p::math_atanh),
            f("cbrt", None, p::math_cbrt),
            f("cosh", None, p::math_cosh),
            f("sinh", None, p::math_sinh),
            f("tanh", None, p::math_tanh),
            f("exp2", None, p::math_exp2),
            f("expm1", None, p::math_expm1),
            f("log1p", None, p::math_log1p),
            f("logb", None, p::math_logb),
            f("roundtoeven", None, p::math_round_to_even),
            f("atan2", None, p::math_atan2),
            f("copysign", None, p::math_copysign),
            f("dim", None, p::math_dim),
            f("hypot", None, p::math_hypot),
            f("remainder", None, p::math_remainder),
            f("NaN", None, p::math_nan),
        ],
        "types" => vec![
            f("isType", None, p::types_is_type),
            f("isNumeric", None, p::types_is_numeric),
        ],
        "date" => vec![
            f("year", None, p::date_year),
            f("month", None, p::date_month),
            f("monthDay", None, p::date_month_day),
            f("hour", None, p::date_hour),
            f("minute", None, p::date_minute),
            f("second", None, p::date_second),
            f("nanosecond", None, p::date_nanosecond),
            f("millisecond", None, p::date_millisecond),
            f("microsecond", None, p::date_microsecond),
            f("weekDay", None, p::date_week_day),
            f("yearDay", None, p::date_year_day),
            f("quarter", None, p::date_quarter),
            f("week", None, p::date_week),
            f("truncate", None, p::date_truncate),
            f("add", None, p::date_add),
            f("sub", None, p::date_sub),
            f("time", None, p::date_time),
            f("scale", None, p::date_scale),
            ("Sunday", Value::Int(0)),
            ("Monday", Value::Int(1)),
            ("Tuesday", Value::Int(2)),
            ("Wednesday", Value::Int(3)),
            ("Thursday", Value::Int(4)),
            ("Friday", Value::Int(5)),
            ("Saturday", Value::Int(6)),
        ],
        "dict" => vec![
            f("get", None, p::dict_get),
            f("insert", None, p::dict_insert),
            f("remove", None, p::dict_remove),
            f("fromList", None, p::dict_from_list),
        ],
        "influxdata/influxdb" => vec![
            f("from", None, u::from),
            f("buckets", None, u::buckets),
            f("to", T, to::to),
        ],
        "influxdata/influxdb/schema" => vec![
            f("measurements", None, schema::measurements),
            f("tagValues", None, schema::tag_values),
            f("tagKeys", None, schema::tag_keys),
            f("fieldKeys", None, schema::field_keys),
            f("measurementTagValues", None, schema::measurement_tag_values),
            f("measurementTagKeys", None, schema::measurement_tag_keys),
            f("measurementFieldKeys", None, schema::measurement_field_keys),
            ("_from", Function::builtin("from", None, u::from)),
        ],
        "system" => vec![f("time", None, u::now)],
        "universe" => {
            let mut v: Vec<(&str, Value)> = UNIVERSE
                .iter()
                .map(|(n, pipe, func)| (*n, Function::builtin(n, *pipe, *func)))
                .collect();
            v.push(("inf", Value::Duration(Duration::from_nanos(i64::MAX))));
            v
        }
        "planner" => vec![
            (
                "disablePhysicalRules",
                Value::Array(std::sync::Arc::new(Vec::new())),
            ),
            (
                "disableLogicalRules",
                Value::Array(std::sync::Arc::new(Vec::new())),
            ),
        ],
        "timezone" => vec![
            (
                "utc",
                p::record(vec![
                    ("zone", Value::str("UTC")),
                    ("offset", Value::Duration(Duration::default())),
                ]),
            ),
            f("fixed", None, p::tz_fixed),
            f("location", None, p::tz_location),
        ],
        "bitwise" | "experimental/bitwise" => vec![
            f("uand", None, p::bit_uand),
            f("uor", None, p::bit_uor),
            f("unot", None, p::bit_unot),
            f("uxor", None, p::bit_uxor),
            f("uclear", None, p::bit_uclear),
            f("ulshift", None, p::bit_ulshift),
            f("urshift", None, p::bit_urshift),
            f("sand", None, p::bit_sand),
            f("sor", None, p::bit_sor),
            f("snot", None, p::bit_snot),
            f("sxor", None, p::bit_sxor),
            f("sclear", None, p::bit_sclear),
            f("slshift", None, p::bit_slshift),
            f("srshift", None, p::bit_srshift),
        ],
        "influxdata/influxdb/v1" => vec![f("fieldsAsCols", T, p::v1_fields_as_cols)],
        "join" => vec![
            f("tables", Some("left"), p::join_tables),
            f("inner", Some("left"), p::join_inner),
            f("left", Some("left"), p::join_left),
            f("right", Some("left"), p::join_right),
            f("full", Some("left"), p::join_full),
            f("time", Some("left"), p::join_time),
        ],
        "experimental/date/boundaries" => vec![
            f("yesterday", None, boundaries::yesterday),
            f("monday", None, boundaries::monday),
            f("tuesday", None, boundaries::tuesday),
            f("wednesday", None, boundaries::wednesday),
            f("thursday", None, boundaries::thursday),
            f("friday", None, boundaries::friday),
            f("saturday", None, boundaries::saturday),
            f("sunday", None, boundaries::sunday),
            f("week", None, boundaries::week),
            f("month", None, boundaries::month),
        ],
        "testing/expect" => vec![f("planner", None, p::noop)],
        "internal/debug" => vec![
            f("pass", T, p::identity_tables),
            f("opaque", T, p::identity_tables),
            f("slurp", T, p::identity_tables),
            f("sink", T, p::debug_sink),
            f("null", None, p::debug_null),
            f("getOption", None, small_packages::debug_get_option),
            f("feature", None, p::noop),
            ("vectorize", Value::Bool(false)),
        ],
        // Experimental aggregates and selectors behave like universe's on `_value`.
        "experimental" => vec![
            f("addDuration", None, p::date_add),
            f("subDuration", None, p::date_sub),
            f("count", T, u::count),
            f("sum", T, u::sum),
            f("mean", T, u::mean),
            f("min", T, u::min),
            f("max", T, u::max),
            f("first", T, u::first),
            f("last", T, u::last),
            f("spread", T, u::spread),
            f("stddev", T, u::stddev_fn),
            f("quantile", T, u::quantile),
            f("unique", T, u::unique),
            f("distinct", T, u::distinct),
            f("integral", T, u::integral),
            f("fill", T, u::fill),
            f("skew", T, x::skew),
            f("mode", T, x::mode),
            f("histogram", T, x::histogram),
            f("histogramQuantile", T, x::histogram_quantile),
            f("kaufmansAMA", T, x::kaufmans_ama),
            f("window", T, u::window),
            f("group", T, experimental::group),
            f("set", T, experimental::set),
            f("objectKeys", None, experimental::object_keys),
            f("chain", None, experimental::chain),
            f("alignTime", T, experimental::align_time),
            f("preview", T, experimental::preview),
            f("catch", None, experimental::catch),
            f("unpivot", T, experimental::unpivot),
            f("join", None, experimental::join),
            f("diff", Some("got"), experimental::diff),
        ],
        _ => return None,
    };
    Some(p::record(fields))
}
