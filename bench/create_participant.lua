-- wrk: POST /v1/participants on one meeting (its code in env MEETING).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"meeting_url_code": "' .. os.getenv("MEETING") .. '", "name": "wrk participant"}'
