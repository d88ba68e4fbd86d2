//! The same behaviour asked of both backends, so the memory store used by unit tests
//! cannot drift from sled.

use super::*;
use crate::config::{Config, Durability};

fn backends() -> Vec<(Box<dyn Store>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::defaults().store;
    cfg.path = dir.path().join("db");
    cfg.durability = Durability::Fsync;
    vec![
        (Box::new(MemoryStore::new()), None),
        (Box::new(SledStore::open(&cfg).unwrap()), Some(dir)),
    ]
}

#[test]
fn a_transaction_writes_several_trees_at_once() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        store
            .transact(&[Tree::UseridUser, Tree::EmailUserid], |tx| {
                tx.insert(Tree::UseridUser, b"1", b"alice".to_vec())?;
                tx.insert(Tree::EmailUserid, b"a@x", b"1".to_vec())?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            store.get(Tree::UseridUser, b"1").unwrap(),
            Some(b"alice".to_vec())
        );
        assert_eq!(
            store.get(Tree::EmailUserid, b"a@x").unwrap(),
            Some(b"1".to_vec())
        );
    }
}

#[test]
fn a_refused_transaction_leaves_nothing_written() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        let result: Result<(), AppError> =
            store.transact(&[Tree::UseridUser, Tree::EmailUserid], |tx| {
                tx.insert(Tree::UseridUser, b"1", b"alice".to_vec())?;
                Err(AppError::Conflict("no".into()).into())
            });
        assert!(matches!(result, Err(AppError::Conflict(_))));
        assert_eq!(store.get(Tree::UseridUser, b"1").unwrap(), None);
    }
}

#[test]
fn reads_inside_a_transaction_see_its_own_writes() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        let seen = store
            .transact(&[Tree::Meta], |tx| {
                tx.insert(Tree::Meta, b"k", b"v".to_vec())?;
                tx.get(Tree::Meta, b"k")
            })
            .unwrap();
        assert_eq!(seen, Some(b"v".to_vec()));
    }
}

#[test]
fn undeclared_trees_are_refused() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        let result = store.transact(&[Tree::Meta], |tx| {
            tx.insert(Tree::UseridUser, b"k", vec![])
        });
        assert!(matches!(result, Err(AppError::Internal(_))));
        assert_eq!(store.get(Tree::UseridUser, b"k").unwrap(), None);
    }
}

#[test]
fn a_whole_tree_is_read_once_in_key_order() {
    for (store, dir) in backends() {
        let store: &dyn Store = store.as_ref();
        // The memory store pages with `scan_prefix` (the default): more than a page, so its
        // paging is crossed. sled's override has no pages; a small tree keeps its test quick
        // (sled's I/O threads are shared by the whole test process).
        let fillers = if dir.is_none() { SCAN_PAGE } else { 3 };
        store
            .transact(&[Tree::CountryUserid, Tree::Meta], |tx| {
                for k in ["c", "a", "b"] {
                    tx.insert(Tree::CountryUserid, k.as_bytes(), k.repeat(2).into_bytes())?;
                }
                for i in 0..fillers {
                    let k = format!("z{i:06}");
                    tx.insert(Tree::CountryUserid, k.as_bytes(), k.clone().into_bytes())?;
                }
                tx.insert(Tree::Meta, b"other", b"zz".to_vec())
            })
            .unwrap();
        let mut seen = Vec::new();
        store
            .for_each_value(Tree::CountryUserid, &mut |v| {
                seen.push(String::from_utf8(v.to_vec()).unwrap());
                Ok(())
            })
            .unwrap();
        assert_eq!(seen.len(), 3 + fillers);
        assert_eq!(seen[..4], ["aa", "bb", "cc", "z000000"]);
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "in key order, none twice"
        );
        // A refusal from the callback stops the pass and comes back as it was.
        let mut calls = 0;
        let stopped = store.for_each_value(Tree::CountryUserid, &mut |_| {
            calls += 1;
            Err(AppError::Conflict("stop".into()))
        });
        assert!(matches!(stopped, Err(AppError::Conflict(m)) if m == "stop"));
        assert_eq!(calls, 1);
    }
}

#[test]
fn prefix_scans_page_in_key_order() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        store
            .transact(&[Tree::CountryUserid], |tx| {
                for k in ["FRc", "FRa", "DEz", "FRb", "GRa"] {
                    tx.insert(Tree::CountryUserid, k.as_bytes(), vec![])?;
                }
                Ok(())
            })
            .unwrap();
        let keys = |after: Option<&[u8]>| -> Vec<String> {
            store
                .scan_prefix(Tree::CountryUserid, b"FR", after, 2)
                .unwrap()
                .into_iter()
                .map(|(k, _)| String::from_utf8(k).unwrap())
                .collect()
        };
        assert_eq!(keys(None), ["FRa", "FRb"]);
        assert_eq!(keys(Some(b"FRb")), ["FRc"]);
        assert!(keys(Some(b"FRc")).is_empty());
    }
}

#[test]
fn ids_are_unique_and_nonzero() {
    for (store, _dir) in backends() {
        let a = store.next_id().unwrap();
        let b = store.next_id().unwrap();
        assert!(a > 0 && b > 0 && a != b);
    }
}

#[test]
fn sled_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::defaults().store;
    cfg.path = dir.path().join("db");
    {
        let store: Box<dyn Store> = Box::new(SledStore::open(&cfg).unwrap());
        store
            .transact(&[Tree::Meta], |tx| {
                tx.insert(Tree::Meta, b"k", b"v".to_vec())
            })
            .unwrap();
    }
    let store = SledStore::open(&cfg).unwrap();
    assert_eq!(store.get(Tree::Meta, b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn a_read_sees_keys_written_together_together() {
    for (store, _dir) in backends() {
        let store: &dyn Store = store.as_ref();
        let trees = [Tree::UseridUnreadcount, Tree::UseridLastseq];
        let both = |tx: &dyn Txn| {
            Ok((
                tx.get_u64(Tree::UseridUnreadcount, b"u")?,
                tx.get_u64(Tree::UseridLastseq, b"u")?,
            ))
        };
        assert_eq!(store.read(&trees, both).unwrap(), (0, 0));
        std::thread::scope(|s| {
            s.spawn(|| {
                for n in 1..=300u64 {
                    let write = |tx: &dyn Txn| {
                        tx.put_u64(Tree::UseridUnreadcount, b"u", n)?;
                        tx.put_u64(Tree::UseridLastseq, b"u", n)
                    };
                    store.run_transaction(&trees, &write).unwrap();
                }
            });
            let mut last = 0;
            while last < 300 {
                let (count, seq) = store.read(&trees, both).unwrap();
                assert_eq!(count, seq, "a read saw half of a write");
                assert!(seq >= last, "reads go forward");
                last = seq;
            }
        });
        let refused: Result<(), AppError> = store.read(&[Tree::Meta], |tx| {
            tx.get(Tree::EmailUserid, b"x").map(|_| ())
        });
        assert!(
            refused.is_err(),
            "undeclared trees are refused in reads too"
        );
    }
}
