//! `n8n-nodes-base.debugHelper`: passes items through, throws a chosen error, or produces seeded
//! random test data (users, emails, UUIDs, addresses, …). The random values are Weft's own;
//! only their shape follows n8n.

use serde_json::{Value, json};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem};

use crate::util::first_input;

pub struct DebugHelper;

/// A small deterministic generator (SplitMix64) seeded from the seed text.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Self(h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n).map(|_| format!("{:x}", self.next() % 16)).collect()
    }
}

const FIRST: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger",
];
const LAST: &[&str] = &[
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
    "Allen", "Dijkstra",
];
const STREETS: &[&str] = &["Main St", "High St", "Park Ave", "Oak Rd", "Elm St"];
const CITIES: &[&str] = &[
    "Springfield",
    "Riverton",
    "Lakeside",
    "Fairview",
    "Kingsport",
];

fn uuid(rng: &mut Rng) -> String {
    let h = rng.hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn record(rng: &mut Rng, kind: &str) -> Value {
    match kind {
        "address" => json!({
            "firstName": rng.pick(FIRST), "lastName": rng.pick(LAST),
            "streetAddress": format!("{} {}", rng.next() % 900 + 100, rng.pick(STREETS)),
            "city": rng.pick(CITIES), "zipCode": format!("{:05}", rng.next() % 100_000), "country": "US"
        }),
        "coordinates" => json!({
            "latitude": (rng.next() % 180_000) as f64 / 1000.0 - 90.0,
            "longitude": (rng.next() % 360_000) as f64 / 1000.0 - 180.0
        }),
        "email" => {
            json!({"email": format!("{}.{}@example.com", rng.pick(FIRST).to_lowercase(), rng.pick(LAST).to_lowercase())})
        }
        "ipv4" => {
            json!({"ip": format!("{}.{}.{}.{}", rng.next() % 256, rng.next() % 256, rng.next() % 256, rng.next() % 256)})
        }
        "ipv6" => json!({"ip": (0..8).map(|_| rng.hex(4)).collect::<Vec<_>>().join(":")}),
        "macAddress" => json!({"mac": (0..6).map(|_| rng.hex(2)).collect::<Vec<_>>().join(":")}),
        "nanoIds" => json!({"nanoId": rng.hex(21)}),
        "url" => {
            json!({"url": format!("https://{}.example.com/{}", rng.pick(CITIES).to_lowercase(), rng.hex(6))})
        }
        "uuid" => json!({"uuid": uuid(rng)}),
        "version" => {
            json!({"version": format!("{}.{}.{}", rng.next() % 10, rng.next() % 20, rng.next() % 50)})
        }
        _ => {
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            json!({
                "uid": uuid(rng),
                "email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                "firstname": first,
                "lastname": last,
                "password": rng.hex(16)
            })
        }
    }
}

impl NodeType for DebugHelper {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.debugHelper"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let params = ctx.parameters(0)?;
            let text = |k: &str, d: &str| {
                params
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or(d)
                    .to_owned()
            };
            match text("category", "doNothing").as_str() {
                "throwError" => Err(NodeError::new(text(
                    "throwErrorMessage",
                    "Node has thrown an error",
                ))),
                "oom" => Err(NodeError::new(
                    "The Debug Helper's out-of-memory test is refused: an execution's memory is capped",
                )),
                "randomData" => {
                    let count = params
                        .get("randomDataCount")
                        .and_then(Value::as_u64)
                        .unwrap_or(10)
                        .min(10_000);
                    let mut rng = Rng::new(&text("randomDataSeed", ""));
                    let kind = text("randomDataType", "user");
                    let out = (0..count)
                        .map(|_| Item {
                            paired_item: Some(PairedItem::item(0)),
                            ..Item::from_value(record(&mut rng, &kind))
                        })
                        .collect();
                    Ok(Some(vec![out]))
                }
                _ => Ok(Some(vec![first_input(ctx.inputs)])),
            }
        })
    }
}
