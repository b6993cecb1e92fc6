//! Which container a process is in, from `/proc/PID/cgroup`, believed only
//! where a container runtime puts it.
//!
//! Anyone with a delegated cgroup subtree (every user's `user@UID.service`,
//! a container with a writable cgroup namespace) can name a cgroup
//! `docker-<id>.scope` or `kubepods-pod<uid>.slice`. So a path names a
//! container only when it starts at the root of the host's hierarchy with
//! one of the [`LAYOUTS`], whose components only root (the runtime, through
//! systemd) can make; what lies below the runtime's cgroup is the
//! container's own (systemd inside it makes `init.scope`) and keeps its id.
//! The paths are the reader's view: root on the host (the initial cgroup
//! namespace) sees whole paths; a process outside the reader's cgroup
//! namespace shows as `/../…`, which no layout matches.

/// A process's cgroup and the container found in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cgroup {
    /// The path the container was found in, else the `0::` (cgroup v2)
    /// path, else the `name=systemd` one, exactly as the kernel wrote it.
    pub path: String,
    pub container: Option<Container>,
}

/// A container named by its cgroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    /// The container id (64 hex digits), or the Kubernetes pod uid: a
    /// pod's containers share one IPC namespace.
    pub id: String,
    /// The user whose delegated subtree (`user@UID.service`) holds it, as
    /// rootless Podman and Docker do: that user named it, so it is theirs,
    /// never a root-run container. `None` for a system runtime's.
    pub uid: Option<u32>,
}

/// One component of a runtime's cgroup path.
#[derive(Clone, Copy, Debug)]
enum Part {
    /// Exactly this name.
    Is(&'static str),
    /// `user-<uid>.slice`.
    UserSlice,
    /// `user@<uid>.service`, with the uid of the `user-<uid>.slice` above.
    UserService,
    /// PREFIX, a Kubernetes pod uid (`_` for `-` in systemd names), SUFFIX.
    Pod(&'static str, &'static str),
    /// One of the prefixes, a container id (hex), SUFFIX.
    Id(&'static [&'static str], &'static str),
}

use Part::{Id, Is, Pod, UserService, UserSlice};

/// Kubernetes' container runtimes under the systemd cgroup driver.
const CRI_SCOPES: &[&str] = &[
    "cri-containerd-", // containerd's CRI plugin
    "crio-",           // CRI-O
    "docker-",         // cri-dockerd
];

/// Where each runtime puts a container, from the root of the host's
/// hierarchy: the only paths a container id or pod uid is taken from.
const LAYOUTS: &[&[Part]] = &[
    // Docker, systemd cgroup driver (the default with cgroup v2).
    &[Is("system.slice"), Id(&["docker-"], ".scope")],
    // Docker, cgroupfs driver.
    &[Is("docker"), Id(&[""], "")],
    // Podman run by root (systemd cgroup manager).
    &[Is("machine.slice"), Id(&["libpod-"], ".scope")],
    // Kubernetes, systemd driver: Guaranteed, Burstable and BestEffort pods.
    &[
        Is("kubepods.slice"),
        Pod("kubepods-pod", ".slice"),
        Id(CRI_SCOPES, ".scope"),
    ],
    &[
        Is("kubepods.slice"),
        Is("kubepods-burstable.slice"),
        Pod("kubepods-burstable-pod", ".slice"),
        Id(CRI_SCOPES, ".scope"),
    ],
    &[
        Is("kubepods.slice"),
        Is("kubepods-besteffort.slice"),
        Pod("kubepods-besteffort-pod", ".slice"),
        Id(CRI_SCOPES, ".scope"),
    ],
    // Kubernetes, cgroupfs driver: /kubepods/[<qos>/]pod<uid>/<id>.
    &[Is("kubepods"), Pod("pod", ""), Id(&[""], "")],
    &[
        Is("kubepods"),
        Is("burstable"),
        Pod("pod", ""),
        Id(&[""], ""),
    ],
    &[
        Is("kubepods"),
        Is("besteffort"),
        Pod("pod", ""),
        Id(&[""], ""),
    ],
    // Rootless Podman and rootless Docker (systemd driver), in the user's
    // delegated subtree: that user's containers.
    &[
        Is("user.slice"),
        UserSlice,
        UserService,
        Is("user.slice"),
        Id(&["libpod-", "docker-"], ".scope"),
    ],
];

/// The cgroup of process `pid`; `None` when it cannot be read (gone, or
/// not the caller's to read).
pub fn read(pid: i32) -> Option<Cgroup> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(format!("/proc/{pid}/cgroup"))
        .ok()?
        .take(CGROUP_FILE_LIMIT)
        .read_to_end(&mut bytes)
        .ok()?;
    parse_bytes(&bytes)
}

/// [`parse`] of the bytes of a /proc/PID/cgroup. A container names
/// cgroups below its own as it likes, with bytes that are not UTF-8 among
/// them: that must not hide the runtime's part above (U+FFFD stands in).
pub fn parse_bytes(bytes: &[u8]) -> Option<Cgroup> {
    parse(&String::from_utf8_lossy(bytes))
}

/// The most of a /proc/PID/cgroup read: a line per hierarchy, each a path
/// of at most PATH_MAX (4096) bytes as the kernel writes it.
const CGROUP_FILE_LIMIT: u64 = 256 << 10;

/// The cgroup a `/proc/PID/cgroup` text gives: the host's hierarchy is the
/// `0::` line (cgroup v2) and, on cgroup v1 and hybrid hosts, the
/// `name=systemd` line; the other v1 lines are not looked at (a v1
/// controller may be delegated too). `None` when it has neither.
pub fn parse(text: &str) -> Option<Cgroup> {
    let path = |want: &str| {
        text.lines().find_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            let hit = match want {
                "0::" => id == "0" && controllers.is_empty(),
                _ => controllers == want,
            };
            hit.then_some(path)
        })
    };
    let paths: Vec<&str> = [path("0::"), path("name=systemd")]
        .into_iter()
        .flatten()
        .collect();
    let found = paths.iter().find_map(|p| container_in(p).map(|c| (*p, c)));
    match found {
        Some((path, container)) => Some(Cgroup {
            path: path.to_owned(),
            container: Some(container),
        }),
        None => paths.first().map(|p| Cgroup {
            path: (*p).to_owned(),
            container: None,
        }),
    }
}

/// The container at one of the [`LAYOUTS`] in `path`.
fn container_in(path: &str) -> Option<Container> {
    let parts: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    LAYOUTS.iter().find_map(|layout| matches(layout, &parts))
}

/// `parts` (components from the root) against one layout: the pod uid, else
/// the container id, and the user's uid in a user's subtree.
fn matches(layout: &[Part], parts: &[&str]) -> Option<Container> {
    if parts.len() < layout.len() {
        return None;
    }
    let (mut id, mut pod, mut uid) = (None, None, None);
    for (part, name) in layout.iter().zip(parts) {
        match *part {
            Is(want) => (*name == want).then_some(())?,
            UserSlice => uid = Some(number_in(name, "user-", ".slice")?),
            UserService => (uid? == number_in(name, "user@", ".service")?).then_some(())?,
            Pod(prefix, suffix) => {
                let text = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
                is_uid(text).then_some(())?;
                pod = Some(text.replace('_', "-"));
            }
            Id(prefixes, suffix) => {
                let text = name.strip_suffix(suffix)?;
                let text = prefixes.iter().find_map(|p| text.strip_prefix(p))?;
                is_hex_id(text).then_some(())?;
                id = Some(text.to_owned());
            }
        }
    }
    Some(Container {
        id: pod.or(id)?,
        uid,
    })
}

/// The decimal number between `prefix` and `suffix` in `name`.
fn number_in(name: &str, prefix: &str, suffix: &str) -> Option<u32> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A pod uid: a UUID, or the 32 hex digits of a static pod's hash.
fn is_uid(text: &str) -> bool {
    text.len() >= 8
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'-' || b == b'_')
}

fn is_hex_id(text: &str) -> bool {
    text.len() >= 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_sub_cgroup_named_with_bytes_not_utf8_keeps_the_container() {
        let id = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
        let text = [
            format!("0::/system.slice/docker-{id}.scope/x").as_bytes(),
            b"\xff",
            b"y\n",
        ]
        .concat();
        let found = parse_bytes(&text).unwrap();
        assert_eq!(found.container.unwrap().id, id);
        assert_eq!(
            found.path,
            format!("/system.slice/docker-{id}.scope/x\u{FFFD}y")
        );
        assert!(
            std::str::from_utf8(&text).is_err(),
            "read_to_string would fail"
        );
    }

    use super::*;

    const ID: &str = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    const POD: &str = "1a2b3c4d-0000-4e5f-8a9b-001122334455";
    const POD_: &str = "1a2b3c4d_0000_4e5f_8a9b_001122334455";

    fn root(id: &str) -> Option<Container> {
        Some(Container {
            id: id.into(),
            uid: None,
        })
    }

    fn found(text: &str) -> Option<Container> {
        parse(text).and_then(|c| c.container)
    }

    #[test]
    fn each_runtime_at_its_position() {
        for (text, want) in [
            // Docker, systemd and cgroupfs drivers (v2, and v1's name=systemd).
            (format!("0::/system.slice/docker-{ID}.scope\n"), ID),
            (format!("1:name=systemd:/docker/{ID}\n0::/\n"), ID),
            (format!("0::/docker/{ID}\n"), ID),
            // Podman run by root.
            (format!("0::/machine.slice/libpod-{ID}.scope\n"), ID),
            // Kubernetes, systemd driver: containerd, CRI-O, each QoS class.
            (
                format!(
                    "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{POD_}.slice/cri-containerd-{ID}.scope\n"
                ),
                POD,
            ),
            (
                format!(
                    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{POD_}.slice/crio-{ID}.scope\n"
                ),
                POD,
            ),
            (
                format!("0::/kubepods.slice/kubepods-pod{POD_}.slice/crio-{ID}.scope\n"),
                POD,
            ),
            // Kubernetes, cgroupfs driver (v1's name=systemd, and v2).
            (
                format!(
                    "4:memory:/kubepods/burstable/pod{POD}/{ID}\n1:name=systemd:/kubepods/burstable/pod{POD}/{ID}\n0::/\n"
                ),
                POD,
            ),
            (format!("0::/kubepods/pod{POD}/{ID}\n"), POD),
            // Below the runtime's cgroup: the container's own (systemd inside it).
            (
                format!("0::/system.slice/docker-{ID}.scope/init.scope\n"),
                ID,
            ),
        ] {
            assert_eq!(found(&text), root(want), "{text}");
        }
    }

    #[test]
    fn a_users_delegated_subtree_holds_that_users_containers() {
        let user = |id: &str| {
            Some(Container {
                id: id.into(),
                uid: Some(1000),
            })
        };
        // Rootless Podman (the process may sit in a `container` child) and Docker.
        for text in [
            format!(
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container\n"
            ),
            format!(
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/docker-{ID}.scope\n"
            ),
        ] {
            assert_eq!(found(&text), user(ID), "{text}");
        }
        // A slice and service of different users is no systemd layout.
        let text =
            format!("0::/user.slice/user-1000.slice/user@0.service/user.slice/docker-{ID}.scope\n");
        assert_eq!(found(&text), None);
    }

    #[test]
    fn runtime_names_anywhere_else_name_nothing() {
        for text in [
            // A user names a child of its delegated subtree as Docker would.
            format!("0::/user.slice/user-65534.slice/user@65534.service/docker-{ID}.scope\n"),
            format!(
                "0::/user.slice/user-65534.slice/user@65534.service/system.slice/docker-{ID}.scope\n"
            ),
            // ... or as a Kubernetes pod.
            format!(
                "0::/user.slice/user-65534.slice/user@65534.service/kubepods.slice/kubepods-pod{POD_}.slice/cri-containerd-{ID}.scope\n"
            ),
            format!(
                "0::/user.slice/user-65534.slice/user@65534.service/user.slice/kubepods-pod{POD_}.slice/crio-{ID}.scope\n"
            ),
            // Not at the runtime's position: below another cgroup, or not from the root.
            format!("0::/test.slice/docker-{ID}.scope\n"),
            format!("0::/foo/system.slice/docker-{ID}.scope\n"),
            format!("0::/system.slice/foo.service/docker-{ID}.scope\n"),
            format!("0::/kubepods-besteffort-pod{POD_}.slice/cri-containerd-{ID}.scope\n"),
            format!("0::/system.slice/kubepods.slice/kubepods-pod{POD_}.slice/crio-{ID}.scope\n"),
            // A pod slice without a runtime's container in it.
            format!("0::/kubepods.slice/kubepods-pod{POD_}.slice/sneaky-{ID}.scope\n"),
            // A runtime name in a middle component.
            format!("0::/a/docker-{ID}.scope/b\n"),
            format!("0::/a/docker/{ID}/b\n"),
            // Outside the reader's cgroup namespace.
            format!("0::/../../system.slice/docker-{ID}.scope\n"),
            // Relative paths, or a v1 controller line (delegable) rather than name=systemd.
            format!("0::system.slice/docker-{ID}.scope\n"),
            format!("4:memory:/docker/{ID}\n0::/\n"),
            format!("4:memory:/kubepods/besteffort/pod{POD}/{ID}\n0::/\n"),
            // Not ids.
            "0::/system.slice/docker-notanid.scope\n".into(),
            "0::/system.slice/docker.service\n".into(),
            "0::/\n".into(),
            "1:name=systemd:/user.slice/user-0.slice/session-1.scope\n0::/user.slice/user-0.slice/session-1.scope\n".into(),
        ] {
            assert_eq!(found(&text), None, "{text}");
        }
    }

    #[test]
    fn the_path_is_the_one_the_id_came_from_else_the_unified_one() {
        let other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let text = format!("9:name=systemd:/docker/{other}\n0::/system.slice/docker-{ID}.scope\n");
        let c = parse(&text).unwrap();
        assert_eq!(c.container, root(ID));
        assert_eq!(c.path, format!("/system.slice/docker-{ID}.scope"));
        let text = format!("9:name=systemd:/docker/{ID}\n0::/\n");
        assert_eq!(parse(&text).unwrap().path, format!("/docker/{ID}"));
        let c = parse("9:name=systemd:/x\n0::/user.slice/u\n").unwrap();
        assert_eq!((c.path.as_str(), c.container), ("/user.slice/u", None));
        assert_eq!(parse("9:name=systemd:/x\n").unwrap().path, "/x");
        assert_eq!(parse("4:memory:/x\n"), None);
        assert_eq!(parse(""), None);
    }
}
