//! The Rust side of the search benchmark (`scripts/bench-search.sh`; needs `--features load`).
//!
//! - `load`: writes the generated profiles and postings (`scripts/bench-search/generate.py`)
//!   into a real sled store, the way the services store them, in large transactions, plus
//!   one account that can log in for the HTTP measurement. The index is then built with the
//!   real `twinhub reindex`.
//! - `engine`: runs every query of `queries.json` against the index through the same query
//!   building as `GET /api/search` (every word required, filters, the last word a prefix or
//!   not), asking what FTS5 is asked: the best 20 ids and the total. Prints latencies as JSON.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use hdrhistogram::Histogram;
use serde::Deserialize;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};
use twinhub::config::Config;
use twinhub::domain::catalog::MemberType;
use twinhub::domain::posting::{Posting, Scope};
use twinhub::domain::school::School;
use twinhub::domain::user::{User, Validation};
use twinhub::error::AppError;
use twinhub::ids::{PostingId, SchoolId, UserId};
use twinhub::search::query::{Kind, Request};
use twinhub::search::Search;
use twinhub::service::passwords;
use twinhub::store::{key, SledStore, Store, Tree};

#[derive(Parser)]
struct Cli {
    /// Configuration file (the store and index paths; TWINHUB_* overrides apply).
    #[arg(long, default_value = "config.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load profiles.jsonl and postings.jsonl from DIR into the configured store.
    Load {
        dir: PathBuf,
        #[arg(long, default_value = "bench@bench.test")]
        email: String,
        #[arg(long, default_value = "bench-password-123")]
        password: String,
    },
    /// Time the parts of one query (a diagnosis aid).
    Probe {
        q: String,
        #[arg(long)]
        postings: bool,
        /// A filter, `dimension=value` (repeatable).
        #[arg(long)]
        filter: Vec<String>,
    },
    /// Time every query of DIR/queries.json against the configured index.
    Engine {
        dir: PathBuf,
        /// The last word also matches as a prefix (as the endpoint does while typing).
        #[arg(long)]
        prefix_last: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// `both` (the best ids and the total, as FTS5 is asked) or `count` (the total alone).
        #[arg(long, default_value = "both")]
        collector: String,
        /// Only the shapes whose "kind/shape/variant" name contains this (for profiling).
        #[arg(long, default_value = "")]
        only: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = Config::load(Some(&cli.config)).and_then(|cfg| match cli.command {
        Command::Load {
            dir,
            email,
            password,
        } => load(&cfg, &dir, &email, &password),
        Command::Probe {
            q,
            postings,
            filter,
        } => probe(&cfg, &q, postings, &filter),
        Command::Engine {
            dir,
            prefix_last,
            limit,
            collector,
            only,
        } => engine(&cfg, &dir, prefix_last, limit, &collector, &only),
    });
    if let Err(e) = result {
        eprintln!("twinhub-search-bench: {e:?}");
        std::process::exit(1);
    }
}

#[derive(Deserialize)]
struct ProfileLine {
    display_name: String,
    country: String,
    languages: Vec<String>,
    subjects: Vec<String>,
    member_type: MemberType,
    bio: String,
    available_for_projects: bool,
}

#[derive(Deserialize)]
struct PostingLine {
    author: usize,
    scope: Scope,
    country: String,
    title: String,
    summary: String,
    description: String,
    languages: Vec<String>,
    subjects: Vec<String>,
    topics: Vec<String>,
    key_competences: Vec<String>,
    pupil_ages: Vec<String>,
}

/// Items written per store transaction.
const BATCH: usize = 2000;

fn lines<T: serde::de::DeserializeOwned>(
    path: PathBuf,
) -> Result<impl Iterator<Item = Result<T, AppError>>, AppError> {
    let file = std::fs::File::open(&path)
        .map_err(|e| AppError::Config(format!("{}: {e}", path.display())))?;
    Ok(std::io::BufReader::new(file).lines().map(|l| {
        let l = l.map_err(AppError::internal)?;
        serde_json::from_str(&l).map_err(AppError::internal)
    }))
}

fn load(cfg: &Config, dir: &std::path::Path, email: &str, password: &str) -> Result<(), AppError> {
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&cfg.store)?);
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let mut users: Vec<UserId> = Vec::new();
    let mut batch: Vec<User> = Vec::with_capacity(BATCH);
    for line in lines::<ProfileLine>(dir.join("profiles.jsonl"))? {
        let p = line?;
        let id = UserId(store.next_id()?);
        users.push(id);
        let mut u = User::new_member(
            id,
            format!("u{}@bench.test", id.0),
            "!".into(),
            p.display_name,
            Some(p.country),
            now,
        );
        u.profile.languages = p.languages;
        u.profile.subjects = p.subjects;
        u.profile.member_type = p.member_type;
        u.profile.bio = p.bio;
        u.profile.available_for_projects = p.available_for_projects;
        if id.0 % 10 < 7 {
            u.validation = Some(Validation { by: id, at: now });
        }
        batch.push(u);
        if batch.len() == BATCH {
            write_users(&*store, &batch)?;
            batch.clear();
        }
    }
    // The account the HTTP measurement logs in with.
    let id = UserId(store.next_id()?);
    let mut bench = User::new_member(
        id,
        email.to_string(),
        passwords::hash(password)?,
        "Bench Account".into(),
        Some("FR".into()),
        now,
    );
    bench.validation = Some(Validation { by: id, at: now });
    batch.push(bench);
    write_users(&*store, &batch)?;
    let profiles_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut schools: HashMap<usize, SchoolId> = HashMap::new();
    let mut postings: Vec<(Posting, Option<School>)> = Vec::with_capacity(BATCH);
    let mut n_postings = 0usize;
    for line in lines::<PostingLine>(dir.join("postings.jsonl"))? {
        let p = line?;
        let author = users[p.author % users.len()];
        let new_school = !schools.contains_key(&p.author);
        let school = *schools
            .entry(p.author)
            .or_insert(SchoolId(store.next_id()?));
        let school_record = new_school.then(|| School {
            id: school,
            name: format!("School {}", school.0),
            country: p.country.clone(),
            city: "Bench".into(),
            registered_at: now,
            created_by: author,
        });
        let id = PostingId(store.next_id()?);
        postings.push((
            Posting {
                id,
                author,
                school,
                scope: p.scope,
                title: p.title,
                summary: p.summary,
                description: p.description,
                languages: p.languages,
                subjects: p.subjects,
                topics: p.topics,
                key_competences: p.key_competences,
                pupil_ages: p.pupil_ages,
                visible_until: (now + Duration::days(30 + (id.0 % 300) as i64)).date(),
                created_at: now,
                updated_at: now,
                comment_count: 0,
            },
            school_record,
        ));
        n_postings += 1;
        if postings.len() == BATCH {
            write_postings(&*store, &postings)?;
            postings.clear();
        }
    }
    write_postings(&*store, &postings)?;
    store.wait_durable()?;
    println!(
        "{}",
        json!({
            "profiles": users.len(),
            "profiles_secs": profiles_secs,
            "postings": n_postings,
            "postings_secs": started.elapsed().as_secs_f64(),
            "login": {"email": email, "password": password},
        })
    );
    Ok(())
}

fn write_users(store: &dyn Store, users: &[User]) -> Result<(), AppError> {
    store.transact(
        &[Tree::UseridUser, Tree::EmailUserid, Tree::CountryUserid],
        |tx| {
            for u in users {
                tx.put_json(Tree::UseridUser, &u.id.key(), u)?;
                tx.insert(Tree::EmailUserid, u.email.as_bytes(), u.id.key().to_vec())?;
                if let Some(c) = &u.profile.country {
                    tx.insert(
                        Tree::CountryUserid,
                        &key(&[c.as_bytes(), &u.id.key()]),
                        vec![],
                    )?;
                }
            }
            Ok(())
        },
    )
}

fn write_postings(
    store: &dyn Store,
    postings: &[(Posting, Option<School>)],
) -> Result<(), AppError> {
    store.transact(
        &[
            Tree::PostingidPosting,
            Tree::UseridPostingid,
            Tree::SchoolidSchool,
        ],
        |tx| {
            for (p, school) in postings {
                if let Some(s) = school {
                    tx.put_json(Tree::SchoolidSchool, &s.id.key(), s)?;
                }
                tx.put_json(Tree::PostingidPosting, &p.id.key(), p)?;
                let mine = key(&[&p.author.key(), &(u64::MAX - p.id.0).to_be_bytes()]);
                tx.insert(Tree::UseridPostingid, &mine, vec![])?;
            }
            Ok(())
        },
    )
}

#[derive(Deserialize)]
struct QueryCase {
    q: String,
    #[serde(default)]
    filters: HashMap<String, String>,
}

fn engine(
    cfg: &Config,
    dir: &std::path::Path,
    prefix_last: bool,
    limit: usize,
    collector: &str,
    only: &str,
) -> Result<(), AppError> {
    let search = Search::open_existing(&cfg.search.index_dir)?;
    let mut search_cfg = cfg.search.clone();
    if !prefix_last {
        search_cfg.prefix_min_chars = usize::MAX;
    }
    let text = std::fs::read_to_string(dir.join("queries.json")).map_err(AppError::internal)?;
    let queries: Value = serde_json::from_str(&text).map_err(AppError::internal)?;
    let mut out = serde_json::Map::new();
    for (kind_name, kind) in [("people", Kind::People), ("postings", Kind::Postings)] {
        let mut per_shape = serde_json::Map::new();
        for shape in ["one_word", "two_words", "three_words"] {
            let mut per_variant = serde_json::Map::new();
            for variant in ["plain", "filtered"] {
                if !format!("{kind_name}/{shape}/{variant}").contains(only) {
                    continue;
                }
                let cases: Vec<QueryCase> =
                    serde_json::from_value(queries[kind_name][shape][variant].clone())
                        .map_err(AppError::internal)?;
                let requests: Vec<Request> = cases
                    .iter()
                    .map(|c| Request {
                        kind,
                        text: c.q.clone(),
                        filters: c
                            .filters
                            .iter()
                            .filter_map(|(d, v)| kind.filter(d).map(|d| (d, v.clone())))
                            .collect(),
                        offset: 0,
                        limit,
                    })
                    .collect();
                let mut hist = Histogram::<u64>::new(3).map_err(AppError::internal)?;
                let mut found = 0usize;
                for pass in 0..2 {
                    for r in &requests {
                        let t = Instant::now();
                        let (_, total) = match collector {
                            "count" => (vec![], search.count_only(&search_cfg, r)?),
                            _ => search.top_ids(&search_cfg, r)?,
                        };
                        let us = t.elapsed().as_micros() as u64;
                        if pass == 1 {
                            hist.record(us.max(1)).map_err(AppError::internal)?;
                            found += usize::from(total > 0);
                        }
                    }
                }
                per_variant.insert(
                    variant.into(),
                    json!({
                        "p50": hist.value_at_quantile(0.5),
                        "p99": hist.value_at_quantile(0.99),
                        "n": hist.len(),
                        "with_results": found,
                    }),
                );
            }
            per_shape.insert(shape.into(), Value::Object(per_variant));
        }
        out.insert(kind_name.into(), Value::Object(per_shape));
    }
    println!(
        "{}",
        json!({ "prefix_last": prefix_last, "latency_us": out })
    );
    Ok(())
}

fn probe(cfg: &Config, q: &str, postings: bool, filters: &[String]) -> Result<(), AppError> {
    let search = Search::open_existing(&cfg.search.index_dir)?;
    let mut scfg = cfg.search.clone();
    scfg.prefix_min_chars = usize::MAX;
    let req = Request {
        kind: if postings {
            Kind::Postings
        } else {
            Kind::People
        },
        text: q.into(),
        filters: vec![],
        offset: 0,
        limit: 20,
    };
    let mut req = req;
    for f in filters {
        let (d, v) = f.split_once('=').unwrap_or((f, ""));
        let d = req
            .kind
            .filter(d)
            .ok_or_else(|| AppError::Validation(format!("no filter {d}")))?;
        req.filters.push((d, v.to_string()));
    }
    for round in 0..8 {
        let t = Instant::now();
        let total = search.count_only(&scfg, &req)?;
        let count = t.elapsed();
        let t = Instant::now();
        let _ = search.top_ids(&scfg, &req)?;
        let top = t.elapsed();
        let t = Instant::now();
        let r = search.search(&scfg, &req)?;
        let full = t.elapsed();
        eprintln!("round {round}: total {total} count {count:?} top_ids {top:?} endpoint-search {full:?} items {}", r.items.len());
    }
    Ok(())
}
