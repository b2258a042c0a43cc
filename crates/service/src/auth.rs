//! Who may change what: organiser keys and participants' passwords.
//!
//! Passwords are hashed with Argon2id (OWASP's parameters: 19 MiB, 2 passes) on two dedicated
//! threads at the lowest CPU priority, never on the async runtime: a flood of password checks
//! slows other password checks, not the rest of the service (Crab Fit ran bcrypt inside a
//! global lock: two logins cut everyone's traffic 150×). Wrong guesses are limited per
//! participant. A verified password is remembered for a while as a keyed digest, so a person
//! painting stroke after stroke pays for Argon2 once. A refused password is answered after a
//! pause ([`REFUSAL_PAUSE`]), which costs the server nothing (a sleeping future) and slows a
//! guessing client to one try a second per connection: two clients hammering wrong passwords
//! then barely register next to other traffic (measured: bench/passwords.sh).

use std::{
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _, password_hash::SaltString};
use governor::{DefaultKeyedRateLimiter, RateLimiter, clock::Clock as _};
use meetifyr_core::{KeyHash, UrlCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use meetifyr_core::Store;

use crate::{error::ServiceError, rate::Rate, shared_limit::SharedLimits};

/// The header that carries a participant's password (the JSON bodies also take `password`);
/// named here because the refusals name it.
pub const PASSWORD_HEADER: &str = "X-Participant-Password";

/// A password as sent: 1 to 128 characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// How long a wrong password (or one over the participant's allowance) waits for its refusal.
pub const REFUSAL_PAUSE: Duration = Duration::from_secs(1);

type Job = Box<dyn FnOnce() + Send>;

/// Threads that run Argon2, at the lowest priority.
struct Hasher {
    jobs: mpsc::SyncSender<Job>,
}

impl Hasher {
    const THREADS: usize = 2;
    /// Checks waiting beyond this are refused with 503 rather than queued without end.
    const QUEUE: usize = 256;

    fn start() -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Job>(Self::QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..Self::THREADS {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("cannot start a password hashing thread");
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ServiceError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .try_send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .map_err(|_| ServiceError::Busy("too many password checks are waiting; try again shortly".into()))?;
        rx.await.map_err(|_| {
            tracing::error!("a password hashing thread ended");
            ServiceError::Internal
        })
    }
}

/// Nice 19 for the calling thread (Linux keeps a nice value per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, 19) {
        tracing::warn!(error = %e, "cannot lower the priority of the password hashing thread");
    }
}

/// A participant of a store: `(store name, participant id)`.
type ParticipantKey = (Arc<str>, i64);

/// Password state shared by every store's routes.
pub struct Auth {
    hasher: Hasher,
    /// Participants known to have no password: fixed when they join, so kept as long as
    /// memory allows (ids are never reused).
    unprotected: moka::sync::Cache<ParticipantKey, ()>,
    /// Participants whose password was verified lately, with a digest of it under `pepper`.
    verified: moka::sync::Cache<ParticipantKey, [u8; 32]>,
    pepper: [u8; 32],
    /// Password checks per participant: what a guesser gets (`None`: unlimited).
    limit: Option<PasswordLimit>,
}

struct PasswordLimit {
    rate: Rate,
    limiter: DefaultKeyedRateLimiter<ParticipantKey>,
    /// With `--bus redis://…`: the allowance every instance shares (this process's limiter
    /// applies while Redis does not answer).
    shared: Option<Arc<SharedLimits>>,
    checks: std::sync::atomic::AtomicU64,
}

impl PasswordLimit {
    /// `Err(wait)` when the participant has had its allowance.
    async fn check(&self, key: &ParticipantKey) -> Result<(), Duration> {
        let verdict = match &self.shared {
            Some(shared) => shared.check(&format!("password:{}:{}", key.0, key.1), self.rate).await,
            None => None,
        };
        let verdict = verdict.unwrap_or_else(|| {
            // Forget participants whose allowance is whole again, now and then.
            if self.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 4096 == 4095 {
                self.limiter.retain_recent();
                self.limiter.shrink_to_fit();
            }
            self.limiter
                .check_key(key)
                .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
        });
        if verdict.is_err() {
            metrics::counter!("meetifyr_rate_limited_total", "class" => "password").increment(1);
        }
        verdict
    }
}

impl Auth {
    /// `password_rate`: checks per participant (from any address); `None`: unlimited.
    /// `shared`: the allowances kept in Redis for every instance, when there is one.
    pub fn new(password_rate: Option<Rate>, shared: Option<Arc<SharedLimits>>) -> Arc<Self> {
        let mut pepper = [0u8; 32];
        getrandom::fill(&mut pepper).expect("the operating system's random source failed");
        Arc::new(Self {
            hasher: Hasher::start(),
            unprotected: moka::sync::Cache::new(100_000),
            verified: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(30 * 60))
                .build(),
            pepper,
            limit: password_rate.map(|rate| PasswordLimit {
                rate,
                limiter: RateLimiter::keyed(rate.quota()),
                shared,
                checks: Default::default(),
            }),
        })
    }

    fn digest(&self, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.pepper);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// The Argon2id hash (PHC string) of a new password, with a random salt.
    pub async fn hash(&self, password: String) -> Result<String, ServiceError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the operating system's random source failed");
        self.hasher
            .run(move || {
                let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
                Argon2::default()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|h| h.to_string())
                    .map_err(|e| e.to_string())
            })
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "cannot hash a password");
                ServiceError::Internal
            })
    }
}

/// The checks of one store (`StoreService` hands them its store).
impl Auth {
    /// Lets a write to participant `id` of `store` (of meeting `code`, when the request names
    /// one) through when it is unprotected, or when `password` is its password; `Forbidden`
    /// when missing or wrong, `TooManyRequests` after too many checks. An unknown participant,
    /// or one of another meeting, passes: the write itself answers that it is not found.
    pub async fn authorize_participant(
        &self,
        (name, store): (&Arc<str>, &dyn Store),
        id: i64,
        code: Option<&UrlCode>,
        password: Option<&str>,
    ) -> Result<(), ServiceError> {
        let auth = self;
        let key = (name.clone(), id);
        // Unprotected stays unprotected: the hot path (every toggle) skips the query. A
        // protected participant is read each time, so that one deleted meanwhile is a 404.
        if auth.unprotected.contains_key(&key) {
            return Ok(());
        }
        // A password verified lately needs neither the store nor Argon2: a painting person's
        // strokes take this path (a participant deleted meanwhile still gets the write's 404).
        let digest = password.map(|p| auth.digest(p));
        if let Some(digest) = &digest
            && auth
                .verified
                .get(&key)
                .is_some_and(|known| bool::from(known.ct_eq(digest)))
        {
            return Ok(());
        }
        let Some((of, hash)) = store.participant_password_hash(id).await? else {
            return Ok(());
        };
        let Some(hash) = hash else {
            auth.unprotected.insert(key, ());
            return Ok(());
        };
        if code.is_some_and(|code| *code != of) {
            return Ok(());
        }
        let (Some(password), Some(digest)) = (password, digest) else {
            return Err(ServiceError::Forbidden(format!(
                "participant {id} protects their answer with a password: send it in the \
                 {PASSWORD_HEADER} header or the body's password field"
            )));
        };
        if let Some(limit) = &auth.limit
            && let Err(wait) = limit.check(&key).await
        {
            let rate = limit.rate;
            tokio::time::sleep(REFUSAL_PAUSE).await;
            let seconds = wait.saturating_sub(REFUSAL_PAUSE).as_secs_f64().ceil().max(1.0) as u64;
            return Err(ServiceError::TooManyRequests {
                detail: format!(
                    "too many password attempts for participant {id}: at most {} per {}; try again in {seconds} s",
                    rate.count,
                    rate.unit()
                ),
                retry_after: seconds,
            });
        }
        let password = password.to_owned();
        let matches = auth
            .hasher
            .run(move || {
                PasswordHash::new(&hash)
                    .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
        if !matches {
            tokio::time::sleep(REFUSAL_PAUSE).await;
            return Err(ServiceError::Forbidden(format!("wrong password for participant {id}")));
        }
        auth.verified.insert(key, digest);
        Ok(())
    }

    /// Forgets what was cached about a deleted participant of store `name`.
    pub fn forget_participant(&self, name: &Arc<str>, id: i64) {
        let key = (name.clone(), id);
        self.unprotected.invalidate(&key);
        self.verified.invalidate(&key);
    }

    /// Lets an organiser's request through when `presented` is the meeting's key:
    /// `Unauthenticated` without one, `Forbidden` when it is wrong (or the meeting has none),
    /// a store's `NotFound` when there is no such meeting.
    pub async fn authorize_organiser(
        &self,
        store: &dyn Store,
        code: &UrlCode,
        presented: Option<&str>,
    ) -> Result<(), ServiceError> {
        let presented = presented.ok_or_else(|| {
            ServiceError::Unauthenticated(
                "this needs the meeting's organiser key: Authorization: Bearer <organiser_key>".into(),
            )
        })?;
        let stored: Option<KeyHash> = store.organiser_key_hash(code).await?;
        match stored {
            Some(hash) if hash.matches(presented) => Ok(()),
            Some(_) => Err(ServiceError::Forbidden(
                "the organiser key does not match this meeting".into(),
            )),
            None => Err(ServiceError::Forbidden(
                "this meeting was created without an organiser key".into(),
            )),
        }
    }
}
