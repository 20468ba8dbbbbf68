package flux_test

import "testing"
import "array"
import "influxdata/influxdb/tasks"

option now = () => 2021-01-02T00:00:00Z
option task = {name: "downsample", every: 1h, offset: 5m}

testcase last_success_falls_back_to_or_time {
    got = array.from(rows: [{t: tasks.lastSuccess(orTime: -task.every), name: task.name}])
    want = array.from(rows: [{t: 2021-01-01T23:00:00Z, name: "downsample"}])

    testing.diff(got, want)
}

testcase last_success_from_the_option {
    option tasks.lastSuccessTime = 2021-01-01T12:00:00Z

    got = array.from(rows: [{t: tasks.lastSuccess(orTime: -1h)}])
    want = array.from(rows: [{t: 2021-01-01T12:00:00Z}])

    testing.diff(got, want)
}
