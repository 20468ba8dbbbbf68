package flux_test

import "testing"
import "array"
import "experimental/date/boundaries"

// A Wednesday.
option now = () => 2021-06-16T15:04:05Z

testcase yesterday_and_weekdays {
    y = boundaries.yesterday()
    mon = boundaries.monday()
    wed = boundaries.wednesday()
    got = array.from(rows: [{y0: y.start, y1: y.stop, mon: mon.start, monEnd: mon.stop, wed: wed.start}])
    // On a Wednesday, wednesday() is the one a week before.
    want =
        array.from(
            rows: [
                {
                    y0: 2021-06-15T00:00:00Z,
                    y1: 2021-06-16T00:00:00Z,
                    mon: 2021-06-14T00:00:00Z,
                    monEnd: 2021-06-15T00:00:00Z,
                    wed: 2021-06-09T00:00:00Z,
                },
            ],
        )

    testing.diff(got, want)
}

testcase weeks_and_months {
    w = boundaries.week()
    sw = boundaries.week(start_sunday: true, week_offset: -1)
    m = boundaries.month(month_offset: -1)
    got = array.from(rows: [{w0: w.start, w1: w.stop, sw0: sw.start, m0: m.start, m1: m.stop}])
    want =
        array.from(
            rows: [
                {
                    w0: 2021-06-14T00:00:00Z,
                    w1: 2021-06-21T00:00:00Z,
                    sw0: 2021-06-06T00:00:00Z,
                    m0: 2021-05-01T00:00:00Z,
                    m1: 2021-06-01T00:00:00Z,
                },
            ],
        )

    testing.diff(got, want)
}
