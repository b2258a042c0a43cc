//! CPU of the window ranking of a time meeting: 7 days x 09:00-18:00 in 15-minute slots (252
//! cells), 30 participants free in a pseudo-random half, every window length from one slot to
//! the whole day. Prints microseconds per ranking (the mean of many, on one core).
//! Run: cargo run --release -p meetifyr-core --example windows

use std::time::Instant;

use meetifyr_core::{
    Answer, CellSet, DateRange, Grid, Meeting, Participant, TimeGrid, UrlCode, best_slots, rank_windows,
};

fn main() {
    let range = DateRange::new("2026-06-01".parse().unwrap(), "2026-06-07".parse().unwrap()).unwrap();
    let grid = TimeGrid::over_range(range, "09:00", "18:00", 15, "Asia/Seoul").unwrap();
    let mut seed = 0x9e37_79b9_u64;
    let participants = (0..30)
        .map(|id| {
            let (mut free, mut starred) = (CellSet::empty(grid.len()), CellSet::empty(grid.len()));
            for k in 0..grid.len() {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                if seed >> 63 == 1 {
                    free.insert(k);
                    if k % 7 == 0 {
                        starred.insert(k);
                    }
                }
            }
            Participant {
                id,
                name: format!("p{id}"),
                answer: Answer::Times { free, starred },
                password_hash: None,
                required: false,
            }
        })
        .collect();
    let cells = grid.len();
    let m = Meeting {
        url_code: UrlCode::generate(),
        title: String::new(),
        location: String::new(),
        grid: Grid::Times(grid),
        version: 1,
        participants,
        final_date: None,
        organiser_key_hash: None,
        final_slots: None,
        deadline: meetifyr_core::Deadline::NONE,
    };
    let lengths: Vec<usize> = (1..=36).collect();
    let rounds = 200;
    let started = Instant::now();
    let mut windows = 0;
    for _ in 0..rounds {
        for &n in &lengths {
            windows += std::hint::black_box(rank_windows(&m, n)).len();
        }
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / (rounds * lengths.len()) as f64;
    println!(
        "  {cells} cells x 30 participants: {per:.1} us per ranking (mean over window lengths 1..36, {} windows each on average)",
        windows / (rounds * lengths.len())
    );
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(rank_windows(&m, 6));
    }
    println!(
        "  90-minute windows alone: {:.1} us per ranking",
        started.elapsed().as_secs_f64() * 1e6 / rounds as f64
    );
    let started = Instant::now();
    let rounds = 20 * rounds;
    for _ in 0..rounds {
        std::hint::black_box(best_slots(&m, 5));
    }
    println!(
        "  the best 5 slots (what every GET lists): {:.2} us",
        started.elapsed().as_secs_f64() * 1e6 / rounds as f64
    );
}
