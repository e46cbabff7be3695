// A real atproto PDS (@atproto/pds) and a real PLC directory (@did-plc/server, in-memory) on
// 127.0.0.1, free ports, a temporary data folder, no outside network. With APPVIEW_DB_URL (a
// Postgres URL) also the Bluesky AppView (@atproto/bsky, through @atproto/dev-env's TestBsky), fed
// by the PDS's firehose, so app.bsky.* (notifications, search, threads) is served too.
// Creates the brand's account (with an app password) and a customer's, then prints one JSON line:
//   {"url": ..., "plc": ..., "appview": ... or null, "brand": {handle, did, password, app_password},
//    "customer": {...}}
// and keeps running until it is killed or its stdin closes (the test's process ends).
'use strict'

const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')

const HOST = '127.0.0.1'

// Every server binds the loopback address only, whoever starts it (listen(port) would bind all
// addresses), and "localhost" in the AppView's own URLs means 127.0.0.1.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, HOST)
  }
  return listen.apply(this, args)
}
require('node:dns').setDefaultResultOrder('ipv4first')

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, HOST, () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

async function xrpc(url, nsid, body, token) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(`${url}/xrpc/${nsid}`, {
    method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(15000),
  })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(`${nsid}: ${res.status} ${JSON.stringify(data)}`)
  return data
}

async function main() {
  // The PDS's logger writes to stdout only when asked: keep stdout for the one JSON line.
  process.env.LOG_ENABLED = process.env.LOG_ENABLED || 'false'
  const plcLib = require('@did-plc/server')
  const pds = require('@atproto/pds')
  const { Secp256k1Keypair } = require('@atproto/crypto')

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assistant-pds-'))
  const cleanup = () => { try { fs.rmSync(dataDir, { recursive: true, force: true }) } catch {} }
  process.on('exit', cleanup)

  const plcPort = await freePort()
  const plc = plcLib.PlcServer.create({ db: plcLib.Database.mock(), port: plcPort })
  await plc.start()
  const plcUrl = `http://${HOST}:${plcPort}`

  const port = await freePort()
  const url = `http://${HOST}:${port}`
  let bsky = null
  if (process.env.APPVIEW_DB_URL) {
    const dev = require('@atproto/dev-env')
    bsky = await dev.TestBsky.create({
      port: await freePort(), plcUrl, repoProvider: `ws://${HOST}:${port}`,
      dbPostgresUrl: process.env.APPVIEW_DB_URL, dbPostgresSchema: 'appview',
    })
  }
  const rotation = await Secp256k1Keypair.create({ exportable: true })
  const env = {
    devMode: true,
    port,
    hostname: 'localhost',
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotation.export()).toString('hex'),
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    adminPassword: crypto.randomBytes(16).toString('hex'),
    inviteRequired: false,
    disableSsrfProtection: true,
    rateLimitsEnabled: false,
    crawlers: [],
    // No moderation service: reports are not served. Without the AppView, app.bsky.* is not either.
    ...(bsky ? { bskyAppViewUrl: bsky.url, bskyAppViewDid: bsky.ctx.cfg.serverDid } : {}),
  }
  const cfg = pds.envToCfg(env)
  // The accounts' DID documents (and so the session) name this loopback address, not localhost.
  cfg.service.publicUrl = url
  if (cfg.oauth && cfg.oauth.issuer) cfg.oauth.issuer = url
  const server = await pds.PDS.create(cfg, pds.envToSecrets(env))
  await server.start()
  // The AppView resolves the accounts' PDS and handles through this PDS (dev-env's helper).
  if (bsky) require('@atproto/dev-env').mockNetworkUtilities({ ctx: server.ctx, port, url }, bsky)

  async function account(name) {
    const handle = `${name}.test`
    const password = crypto.randomBytes(12).toString('hex')
    const made = await xrpc(url, 'com.atproto.server.createAccount',
      { handle, email: `${name}@example.invalid`, password })
    const app = await xrpc(url, 'com.atproto.server.createAppPassword',
      { name: 'assistant' }, made.accessJwt)
    return { handle, did: made.did, password, app_password: app.password }
  }
  const brand = await account('acmecoffee')
  const customer = await account('annsmith')

  process.stdout.write(JSON.stringify({ url, plc: plcUrl, appview: bsky && bsky.url, brand, customer }) + '\n')

  const stop = async () => {
    try { await server.destroy() } catch {}
    if (bsky) { try { await bsky.close() } catch {} }
    try { await plc.destroy() } catch {}
    cleanup()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The parent (pytest) holds our stdin: when it goes, so do we.
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
}

main().catch((err) => {
  process.stderr.write(`pds start failed: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
