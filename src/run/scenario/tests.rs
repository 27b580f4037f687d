//! The scenario file: what it accepts, and each refusal with its line.

use super::*;
use std::time::Duration;

const GOOD: &str = r#"
variables:
  base: "http://127.0.0.1:8080"
data: users.csv
flow:
  - name: login
    post: "{{ base }}/login"
    json: {user: "{{ row.user }}", password: "{{ row.password }}"}
    headers: {X-Trace: "{{ uuid }}"}
    capture:
      - json: /token
        as: token
      - header: X-Request-Id
        as: rid
    check: ["status == 200"]
  - think: 50ms..150ms
  - name: item
    get: "{{ base }}/items/{{ seq }}?rid={{ rid }}"
    headers: {Authorization: "Bearer {{ token }}"}
    check: ["status == 200", "json /id exists"]
"#;

fn parsed(text: &str) -> Result<Scenario, String> {
    parse(text, Path::new("/scenarios"))
}

#[test]
fn the_issues_example_reads_as_two_requests_and_a_pause() {
    let s = parsed(GOOD).unwrap();
    assert_eq!(s.data.as_deref(), Some(Path::new("/scenarios/users.csv")));
    let [flow] = s.flows.as_slice() else {
        panic!("one flow")
    };
    let [
        Step::Request(login),
        Step::Think(think),
        Step::Request(item),
    ] = flow.steps.as_slice()
    else {
        panic!("request, think, request: {:?}", flow.steps)
    };
    assert_eq!((login.name.as_str(), login.line), ("login", 6));
    assert_eq!(login.method, http::Method::POST);
    assert_eq!(login.url, "http://127.0.0.1:8080/login");
    assert_eq!(
        login.body,
        Body::Json(r#"{"password":"{{ row.password }}","user":"{{ row.user }}"}"#.into())
    );
    assert_eq!(
        login.captures[0],
        Capture {
            from: CaptureFrom::Json("/token".into()),
            name: "token".into()
        }
    );
    assert_eq!(
        *think,
        Think {
            min: Duration::from_millis(50),
            max: Duration::from_millis(150)
        }
    );
    assert_eq!(
        item.url,
        "http://127.0.0.1:8080/items/{{ seq }}?rid={{ rid }}"
    );
    assert_eq!(
        item.headers,
        [(
            "Authorization".to_string(),
            "Bearer {{ token }}".to_string()
        )]
    );
    assert_eq!(item.checks, ["status == 200", "json /id exists"]);
}

#[test]
fn several_scenarios_keep_their_names_and_weights() {
    let text = "scenarios:\n  - name: browse\n    weight: 3\n    flow:\n      - get: http://h/a\n  - name: buy\n    flow:\n      - post: http://h/b\n";
    let s = parsed(text).unwrap();
    let got: Vec<(&str, u32)> = s
        .flows
        .iter()
        .map(|f| (f.name.as_str(), f.weight))
        .collect();
    assert_eq!(got, [("browse", 3), ("buy", 1)]);
}

/// Each bad file gives one line naming what is wrong and, for a step, its line.
#[test]
fn bad_files_are_refused_naming_their_line() {
    let cases = [
        ("flow:\n  - name: a\n    gett: http://h/\n", "line 3"),
        (
            "flow:\n  - name: a\n    get: http://h/\n    post: http://h/\n",
            "line 2: a step with 2 methods",
        ),
        ("flow:\n  - name: a\n", "line 2: a step with no method"),
        (
            "flow:\n  - get: http://h/{{ token }}\n",
            "line 2: {{ token }} is used before",
        ),
        (
            "flow:\n  - get: http://h/\n    capture: [{json: /t, as: t}]\n",
            "captures t but no later step uses it",
        ),
        (
            "flow:\n  - get: http://{{ host }}/\n",
            "template in the scheme or host",
        ),
        ("flow:\n  - get: /relative\n", "not an absolute"),
        ("flow:\n  - get: http://h/{{ row.id }}\n", "without `data:`"),
        ("flow:\n  - get: http://h/{{ seq\n", "unclosed"),
        ("flow:\n  - think: 5 parsecs\n", "think"),
        ("flow:\n  - think: 2s..1s\n", "past the second"),
        (
            "flow:\n  - get: http://h/\n    think: 1s\n",
            "both a method and `think`",
        ),
        (
            "flow:\n  - get: http://h/\n    body: x\n    json: {a: 1}\n",
            "both `body` and `json`",
        ),
        (
            "flow:\n  - get: http://h/\n    capture: [{json: t, as: x}]\n",
            "must start with /",
        ),
        ("flow: [\n", "line"),
        (
            "variables: {seq: 1}\nflow:\n  - get: http://h/\n",
            "not a name of its own",
        ),
        ("flow: []\n", "needs 1 to"),
        ("{}\n", "has no `flow`"),
        (
            "scenarios:\n  - name: a\n    weight: 0\n    flow: [{get: http://h/}]\n",
            "weight",
        ),
    ];
    for (text, wanted) in cases {
        let e = parsed(text).expect_err(text);
        assert!(e.contains(wanted), "{text:?}: {e:?} lacks {wanted:?}");
        assert!(!e.contains('\n'), "{text:?}: more than one line: {e:?}");
    }
}

#[test]
fn a_capture_used_by_a_later_step_is_accepted_and_used_before_is_not() {
    let later = "flow:\n  - get: http://h/a\n    capture: [{header: X-T, as: t}]\n  - get: http://h/{{ t }}\n";
    assert!(parsed(later).is_ok());
    let before = "flow:\n  - get: http://h/{{ t }}\n  - get: http://h/a\n    capture: [{header: X-T, as: t}]\n";
    assert!(parsed(before).unwrap_err().contains("line 2"));
}

/// Compiled: step numbers run on across flows, each step knows the steps a failure skips,
/// captures get slots, origins get pools, and the checks are parsed.
#[test]
fn compiled_steps_are_numbered_across_flows_with_their_pools_and_checks() {
    let text = "scenarios:\n  - name: a\n    flow:\n      - name: login\n        post: http://h:1/l\n        capture:\n          - json: /t\n            as: t\n      - think: 1ms\n      - name: use\n        get: \"http://k:2/x/{{ t }}\"\n        check: [\"status == 200\"]\n  - name: b\n    flow:\n      - get: http://h:1/b\n";
    let s = parsed(text).unwrap();
    let headers = http::HeaderMap::new();
    let shared = Shared {
        columns: None,
        body_limit: 1024,
        headers: &headers,
    };
    let c = compile(&s, &shared).unwrap();
    let names: Vec<_> = c.specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a/login", "a/use", "b/GET step 1"]);
    let later: Vec<_> = c.specs.iter().map(|s| s.later.clone()).collect();
    assert_eq!(later, [1..2, 2..2, 3..3]);
    assert_eq!(c.specs[1].checks, ["status == 200"]);
    let origins: Vec<_> = c.origins.iter().map(ToString::to_string).collect();
    assert_eq!(origins, ["http://h:1/", "http://k:2/"]);
    assert_eq!(c.script.flows[0].slots, 1);
    let bad = "flow:\n  - get: http://h/\n    check: [\"status = 2\"]\n";
    let err = compile(&parsed(bad).unwrap(), &shared).unwrap_err();
    assert!(err.starts_with("line 2: step GET step 1: check"), "{err}");
}
