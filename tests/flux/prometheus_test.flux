package flux_test

import "testing"
import "array"
import "experimental/prometheus"

testcase histogram_quantile_of_le_buckets {
    got =
        array.from(
            rows: [
                {_time: 2021-01-01T00:00:00Z, _measurement: "req", _field: "seconds_bucket", le: "0.5", _value: 5.0},
                {_time: 2021-01-01T00:00:00Z, _measurement: "req", _field: "seconds_bucket", le: "1", _value: 10.0},
                {_time: 2021-01-01T00:00:00Z, _measurement: "req", _field: "seconds_bucket", le: "+Inf", _value: 10.0},
            ],
        )
            |> group(columns: ["_measurement", "_field", "le"])
            |> prometheus.histogramQuantile(quantile: 0.75)
    // Rank 7.5 of 10 lies halfway through the (0.5, 1] bucket.
    want =
        array.from(rows: [{_time: 2021-01-01T00:00:00Z, _measurement: "req", _field: "seconds_bucket", quantile: "0.75", _value: 0.75}])
            |> group(columns: ["_measurement", "_field", "quantile"])

    testing.diff(got, want)
}
