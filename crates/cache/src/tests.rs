use super::*;

fn cache() -> Cache {
    Cache::new(&CacheConfig {
        default_ttl: Duration::from_secs(300),
        max_bytes: 1 << 20,
    })
}

fn b(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}

fn tags(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn invalidating_a_tag_removes_only_the_keys_carrying_it() {
    // Given the seed's example: a list page and an item, both tagged "items"
    let c = cache();
    c.set("items:list:1", b("[..]"), Some(Duration::from_secs(60)));
    c.tag("items:list:1", &["items", "items:list"]);
    c.set("items:42", b("{..}"), Some(Duration::from_secs(120)));
    c.tag("items:42", &["items", "items:detail"]);
    // When a new item is created
    assert_eq!(c.invalidate_by_tag("items:list"), 1);
    // Then the list is gone and the item stays
    assert_eq!(c.get("items:list:1"), None);
    assert_eq!(c.get("items:42"), Some(b("{..}")));
    assert_eq!(c.invalidate_by_tag("items"), 1);
    assert_eq!(c.get("items:42"), None);
}

#[test]
fn entries_expire_after_their_own_ttl() {
    let c = cache();
    c.set_tagged("short", b("x"), Some(Duration::from_millis(50)), &tags(&["t"]));
    c.set("long", b("y"), None);
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(c.get("short"), None, "hidden as soon as it expires");
    assert_eq!(c.get("long"), Some(b("y")));
    // moka removes expired entries on its timer wheel's next tick (about a second)
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.stats().expirations == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(c.stats().expirations, 1);
    assert_eq!(c.tagged_keys(), 0, "the tag index forgets expired keys");
}

#[test]
fn a_replaced_value_lives_its_own_ttl_not_the_old_ones() {
    // Given a value that expires in 300 ms, replaced at once by one that lives 5 s
    let c = cache();
    c.set("k", b("old"), Some(Duration::from_millis(300)));
    c.set("k", b("new"), Some(Duration::from_secs(5)));
    // When the first one's deadline has passed
    std::thread::sleep(Duration::from_millis(400));
    // Then the new value is still there
    assert_eq!(c.get("k"), Some(b("new")));
}

#[tokio::test]
async fn a_value_loaded_again_after_expiry_is_kept() {
    // Given a hot key whose cached value expired a moment ago (moka drops it from its map only
    // at its next housekeeping)
    let c = cache();
    c.set("hot", b("v1"), Some(Duration::from_millis(50)));
    std::thread::sleep(Duration::from_millis(120));
    // When it is read and loaded again
    let load = |v: &'static str| async move { Ok::<_, ()>(Some((b(v), Vec::new()))) };
    assert_eq!(c.get_or_load("hot", || load("v2")).await, Ok(Some(b("v2"))));
    // Then the next read hits the new value instead of loading a third time
    assert_eq!(c.get_or_load("hot", || load("v3")).await, Ok(Some(b("v2"))));
    assert_eq!((c.stats().hits, c.stats().misses), (1, 1));
}

#[test]
fn the_total_size_stays_within_the_bound_and_the_index_does_not_leak() {
    let c = Cache::new(&CacheConfig {
        default_ttl: Duration::from_secs(300),
        max_bytes: 10_000,
    });
    for i in 0..200 {
        c.set_tagged(&format!("k{i}"), Bytes::from(vec![0u8; 500]), None, &tags(&["all"]));
    }
    let s = c.stats();
    assert!(s.bytes <= 10_000, "{s:?}");
    assert!(s.evictions > 0, "{s:?}");
    assert_eq!(c.tagged_keys() as u64, s.entries, "one index entry per live key");
}

#[tokio::test]
async fn hits_misses_and_their_latencies_are_counted() {
    let c = cache();
    let load = || async { Ok::<_, ()>(Some((b("v"), vec![]))) };
    assert_eq!(c.get_or_load("k", load).await, Ok(Some(b("v"))));
    for _ in 0..3 {
        assert_eq!(c.get_or_load("k", || async { Err(()) }).await, Ok(Some(b("v"))));
    }
    c.invalidate("k");
    let s = c.stats();
    assert_eq!((s.hits, s.misses, s.invalidations), (3, 1, 1));
    assert_eq!(s.hit_rate, 75.0);
    assert!(s.avg_miss_ms > 0.0 && s.avg_hit_ms >= 0.0);
}

#[tokio::test]
async fn not_found_is_not_cached() {
    let c = cache();
    assert_eq!(c.get_or_load("k", || async { Ok::<_, ()>(None) }).await, Ok(None));
    assert_eq!(c.get("k"), None);
}

#[tokio::test]
async fn a_value_loaded_across_an_invalidation_is_not_stored() {
    // Given a read that loads the old value while a write invalidates the key
    let c = cache();
    let loaded = c
        .get_or_load("meeting:1", || async {
            c.invalidate("meeting:1"); // the write lands while the read is loading
            Ok::<_, ()>(Some((b("old"), vec![])))
        })
        .await;
    // Then the reader gets its value, but the cache does not keep it
    assert_eq!(loaded, Ok(Some(b("old"))));
    assert_eq!(c.get("meeting:1"), None);
    // Likewise across a tag invalidation
    let _ = c
        .get_or_load("meeting:2", || async {
            c.invalidate_by_tag("participant:7");
            Ok::<_, ()>(Some((b("old"), tags(&["participant:7"]))))
        })
        .await;
    assert_eq!(c.get("meeting:2"), None);
    assert_eq!(c.tagged_keys(), 0);
}

#[tokio::test]
async fn a_value_is_stored_although_other_keys_and_tags_were_invalidated_while_it_loaded() {
    // Given a read of one meeting while writes to other meetings invalidate their keys and
    // their participants' tags (a busy server: some write lands during every load)
    let c = cache();
    let loaded = c
        .get_or_load("meeting:1", || async {
            for other in 2..10 {
                c.invalidate(&format!("meeting:{other}"));
                c.invalidate_by_tag(&format!("participant:{other}"));
            }
            Ok::<_, ()>(Some((b("current"), tags(&["participant:1"]))))
        })
        .await;
    // Then the value is kept for the next read (stripes are fixed: none of those collides)
    assert_eq!(loaded, Ok(Some(b("current"))));
    assert_eq!(c.get("meeting:1"), Some(b("current")));
}

#[test]
fn events_invalidate_entities_and_lists() {
    let c = cache();
    c.set_tagged("item:1", b("a"), None, &tags(&["item:list"]));
    c.set_tagged("item:2", b("b"), None, &[]);
    c.set_tagged("page:1", b("[1,2]"), None, &tags(&["item:list"]));
    c.set_tagged("bundle", b("[2]"), None, &tags(&["item:2"]));
    c.on_create("item");
    assert_eq!((c.get("page:1"), c.get("item:2").is_some()), (None, true));
    c.on_update("item", "2");
    assert_eq!((c.get("item:2"), c.get("bundle")), (None, None));
    c.set("item:3", b("c"), None);
    c.on_delete("item", "3");
    assert_eq!(c.get("item:3"), None);
    assert_eq!(c.stats().invalidations, 5);
}
