-- wrk: PUT /v1/participants/{PARTICIPANT}/availability on meeting MEETING with a wrong password
-- (a guesser hammering a protected participant). Counts the answers by status.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Participant-Password"] = "not the password"
wrk.body = '{"meeting_url_code": "' .. os.getenv("MEETING") .. '", "free": []}'
wrk.path = "/v1/participants/" .. os.getenv("PARTICIPANT") .. "/availability"

local statuses = {}
response = function(status)
    statuses[status] = (statuses[status] or 0) + 1
end

done = function()
    for status, n in pairs(statuses) do
        io.write(string.format("  status %d: %d\n", status, n))
    end
end
