// The official JS client (@influxdata/influxdb-client, Node transport) against a running,
// already onboarded `edgeflux serve`.
// usage: node test_js.mjs URL TOKEN ORG_ID [ORG_NAME]
// Prints `PASS name` / `FAIL name: why` per check and a closing count; exit 1 on failure.
import {InfluxDB, Point, HttpError, flux, setLogger} from '@influxdata/influxdb-client'
import {BucketsAPI, OrgsAPI, AuthorizationsAPI, PingAPI, HealthAPI} from '@influxdata/influxdb-client-apis'

const [url, token, orgID, orgArg] = process.argv.slice(2)
const org = orgArg || 'py-org'
// Expected failures are asserted below; keep the client's own error log quiet.
setLogger({error() {}, warn() {}})
const results = []

async function check(name, fn) {
  try {
    await fn()
    results.push(true)
    console.log(`PASS js: ${name}`)
  } catch (e) {
    results.push(false)
    console.log(`FAIL js: ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`)
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg || 'assertion failed')
}

async function expectStatus(promise, status) {
  try {
    await promise
  } catch (e) {
    assert(e instanceof HttpError, `not an HttpError: ${e}`)
    assert(e.statusCode === status, `expected ${status}, got ${e.statusCode}: ${e.message}`)
    return e
  }
  throw new Error(`expected HTTP ${status}, the call succeeded`)
}

const influx = new InfluxDB({url, token})
const bucket = 'js-bucket'
let bucketID

await check('ping and health', async () => {
  await new PingAPI(influx).getPing()
  const h = await new HealthAPI(influx).getHealth()
  assert(h.status === 'pass', JSON.stringify(h))
})

await check('orgs and create bucket', async () => {
  const orgs = await new OrgsAPI(influx).getOrgs({org})
  assert(orgs.orgs.length === 1 && orgs.orgs[0].id === orgID, JSON.stringify(orgs))
  const b = await new BucketsAPI(influx).postBuckets({body: {orgID, name: bucket, retentionRules: []}})
  bucketID = b.id
  assert(b.name === bucket && b.retentionRules[0].everySeconds === 0, JSON.stringify(b))
})

await check('write points (gzip above the threshold) and flush', async () => {
  // One batch: close() awaits only the final flush, not earlier automatic ones.
  const w = influx.getWriteApi(org, bucket, 'ms', {batchSize: 5000, gzipThreshold: 1000})
  const now = Date.now()
  for (let i = 0; i < 2000; i++) {
    w.writePoint(new Point('mem').tag('host', `h${i % 4}`).floatField('used', i).intField('n', i).timestamp(now - 2000 + i))
  }
  w.writeRecord(`mem,host=h9 used=1.5 ${now}`)
  await w.close()
})

await check('collectRows and annotated CSV parsing', async () => {
  const q = influx.getQueryApi(org)
  const rows = await q.collectRows(
    flux`from(bucket: ${bucket}) |> range(start: -1h) |> filter(fn: (r) => r._measurement == "mem" and r._field == "n") |> count()`
  )
  const total = rows.reduce((s, r) => s + r._value, 0)
  assert(total === 2000, `count ${total}`)
  assert(rows.every(r => typeof r._value === 'number' && r.result === '_result'), JSON.stringify(rows[0]))
})

await check('queryRaw returns annotated CSV', async () => {
  const text = await influx.getQueryApi(org).queryRaw(
    flux`from(bucket: ${bucket}) |> range(start: -1h) |> filter(fn: (r) => r.host == "h9")`
  )
  assert(text.startsWith('#datatype,string,long,dateTime:RFC3339'), text.slice(0, 80))
  assert(text.includes(',result,table,_start,_stop,_time,_value,_field,_measurement,host'), text)
  assert(text.includes(',1.5,used,mem,h9'), text)
})

await check('last() per host with a time range', async () => {
  const rows = await influx.getQueryApi(org).collectRows(
    flux`from(bucket: ${bucket}) |> range(start: -1h) |> filter(fn: (r) => r._field == "used") |> last()`
  )
  assert(rows.length === 5, `rows ${rows.length}`)
})

await check('query errors are HttpErrors with InfluxDB codes', async () => {
  const e = await expectStatus(influx.getQueryApi(org).collectRows('from(bucket: "missing") |> range(start: -1h)'), 404)
  assert(e.json && e.json.code === 'not found', JSON.stringify(e.json))
  await expectStatus(influx.getQueryApi(org).collectRows('from(bucket:'), 400)
})

await check('write errors: 400 bad line, 404 unknown bucket, 401 bad token', async () => {
  const bad = influx.getWriteApi(org, bucket, 'ns', {maxRetries: 0})
  bad.writeRecord('no_fields_here')
  await expectStatus(bad.close(), 400)
  const missing = influx.getWriteApi(org, 'nope', 'ns', {maxRetries: 0, retryJitter: 0})
  missing.writeRecord('m v=1')
  await expectStatus(missing.close(), 404)
  const anon = new InfluxDB({url, token: 'bogus'}).getWriteApi(org, bucket, 'ns', {maxRetries: 0})
  anon.writeRecord('m v=1')
  await expectStatus(anon.close(), 401)
})

await check('read-only token: write 403, query allowed', async () => {
  const auth = await new AuthorizationsAPI(influx).postAuthorizations({
    body: {orgID, description: 'ro', permissions: [{action: 'read', resource: {type: 'buckets', id: bucketID, orgID}}]},
  })
  assert(auth.token, 'token shown at creation')
  const ro = new InfluxDB({url, token: auth.token})
  const w = ro.getWriteApi(org, bucket, 'ns', {maxRetries: 0})
  w.writeRecord('m v=1')
  await expectStatus(w.close(), 403)
  const rows = await ro.getQueryApi(org).collectRows(flux`from(bucket: ${bucket}) |> range(start: -1h) |> limit(n: 1)`)
  assert(rows.length > 0, 'read works')
})

const failed = results.filter(r => !r).length
console.log(`js: ${results.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
