"""Benchmark harness for Switchboard (not shipped): `python -m bench --help`.

Modules, one concern each:
  dataset    the generated organization (50 configurations, 10,000 numbers) plus 20 of noise
  scenarios  the GraphQL operations measured and the request bodies the load driver sends; the
             inbound scenario's signed Twilio call webhooks
  reference  the same read operations on plain Starlette, hand-written SQL and orjson
  reference_inbound  the same Twilio call webhook, answered by hand on plain Starlette
  servers    Switchboard, the reference and a fake Twilio as processes; their RSS
  driver     load generation in another process (wrk with bench/wrk.lua, or an asyncio client)
  checks     byte-identical answers (the same stream TwiML for inbound calls), SQL statements
             per operation, the soak verdict
  profiling  py-spy on the server under load, summarized by self and total time
  report     machine facts, JSON, the markdown report and the plot
  crash      kill -9 during writes, then check nothing acknowledged was lost (`python -m bench.crash`)
"""
