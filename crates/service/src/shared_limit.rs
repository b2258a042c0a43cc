//! Rate limits shared by every instance on one Redis (`--bus redis://…`): the same GCRA as the
//! per-process limiters (N at once, then one every period ÷ N), its one number per client (the
//! theoretical arrival time) kept in Redis and updated by a Lua script, so an address gets one
//! allowance however many instances it reaches. Redis's clock is the only clock used.
//!
//! When Redis does not answer (within 250 ms), callers fall back to their per-process limiter,
//! never to no limit, and the warning says so once per outage; Redis is tried again after a
//! second.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use crate::rate::Rate;

/// Returns 0 when allowed, else the microseconds to wait. KEYS[1]: the allowance; ARGV[1]:
/// microseconds between allowances; ARGV[2]: the burst.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + interval
local horizon = interval * burst
if next_tat - now > horizon then
  return next_tat - now - horizon
end
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return 0
";

const ANSWER_WITHIN: Duration = Duration::from_millis(250);
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct SharedLimits {
    client: redis::Client,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
    /// While set and in the future, Redis is not asked (it failed lately).
    resting_until: Mutex<Option<Instant>>,
    degraded: AtomicBool,
}

impl SharedLimits {
    pub fn new(server: &crate::RedisServer) -> Result<Self, String> {
        describe();
        let client = server.client()?;
        Ok(Self {
            client,
            script: redis::Script::new(GCRA),
            connection: tokio::sync::Mutex::new(None),
            resting_until: Mutex::new(None),
            degraded: AtomicBool::new(false),
        })
    }

    /// `Some(Ok(()))` when `subject` may go on, `Some(Err(wait))` when it used its allowance
    /// of `rate`, `None` when Redis cannot say (the caller applies its own limiter).
    pub async fn check(&self, subject: &str, rate: Rate) -> Option<Result<(), Duration>> {
        if self
            .resting_until
            .lock()
            .expect("limits lock")
            .is_some_and(|until| Instant::now() < until)
        {
            return None;
        }
        let interval = (rate.per / rate.count.get()).as_micros().max(1);
        let asked = tokio::time::timeout(ANSWER_WITHIN, async {
            let mut connection = self.connection().await?;
            let mut invocation = self.script.key(format!("meetifyr:limit:{subject}"));
            invocation.arg(interval as u64).arg(rate.count.get());
            invocation.invoke_async::<i64>(&mut connection).await
        })
        .await;
        match asked {
            Ok(Ok(wait)) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::warn!("Redis answers again: rate limits are shared by every instance again");
                    metrics::gauge!("meetifyr_rate_limits_shared").set(1.0);
                }
                Some(if wait <= 0 {
                    Ok(())
                } else {
                    Err(Duration::from_micros(wait as u64))
                })
            }
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {ANSWER_WITHIN:?}"),
                };
                *self.connection.lock().await = None;
                *self.resting_until.lock().expect("limits lock") = Some(Instant::now() + RETRY_AFTER);
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %why, "Redis does not answer: rate limits are per process until it does");
                    metrics::gauge!("meetifyr_rate_limits_shared").set(0.0);
                }
                None
            }
        }
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let mut held = self.connection.lock().await;
        if let Some(c) = held.as_ref() {
            return Ok(c.clone());
        }
        let c = self.client.get_multiplexed_async_connection().await?;
        *held = Some(c.clone());
        metrics::gauge!("meetifyr_rate_limits_shared").set(1.0);
        Ok(c)
    }
}

fn describe() {
    metrics::describe_gauge!(
        "meetifyr_rate_limits_shared",
        "1 while the rate limits are kept in Redis for every instance, 0 while Redis does not answer and each process limits alone."
    );
}
