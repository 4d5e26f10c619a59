//! The floor under a probe sweep on this machine: one SNMPv1 GET (sysDescr.0, community
//! `public`, 43 bytes, as onesixtyone sends) to every address of a range, and nothing else: no
//! state, no answer decoded, no identification. What it costs is what the kernel costs to
//! send a datagram, deliver it (or answer it with ICMP port unreachable) and hand that ICMP
//! back: the least any tool, ours or onesixtyone, can spend on the same range.
//!
//! `bench/compare` builds it with `rustc -O` (no crate: only std and four libc calls) and runs
//! it beside the sweeps. Usage: `floor BASE/PREFIX PORT THREADS`, IPv4 only; each thread has
//! a socket of its own and takes every THREADS-th address. Like netorigin's first contact, the
//! sockets ask for ICMP errors (IP_RECVERR) and read them from the error queue, in batches of
//! 64 (recvmmsg), every 32 datagrams sent. Prints the datagrams sent and the closed ports
//! seen.

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;

#[repr(C)]
struct IoVec {
    base: *mut u8,
    len: usize,
}

#[repr(C)]
struct MsgHdr {
    name: *mut u8,
    namelen: u32,
    iov: *mut IoVec,
    iovlen: usize,
    control: *mut u8,
    controllen: usize,
    flags: i32,
}

#[repr(C)]
struct MMsgHdr {
    hdr: MsgHdr,
    len: u32,
}

unsafe extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, value: *const i32, len: u32) -> i32;
    fn recvmmsg(fd: i32, v: *mut MMsgHdr, vlen: u32, flags: i32, timeout: *mut u8) -> i32;
}

const IPPROTO_IP: i32 = 0;
const IP_RECVERR: i32 = 11;
const MSG_DONTWAIT: i32 = 0x40;
const MSG_ERRQUEUE: i32 = 0x2000;
const BATCH: usize = 64;

/// An SNMPv1 GetRequest for sysDescr.0 with community `public`, request ID 0x01020304.
const GET: [u8; 43] = [
    0x30, 0x29, 0x02, 0x01, 0x00, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa0, 0x1c,
    0x02, 0x04, 0x01, 0x02, 0x03, 0x04, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30,
    0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00,
];

/// Reads the socket dry: the answers (dropped unread: they share the receive buffer with the
/// error queue, and a full buffer drops ICMP errors), then the error queue; returns how many
/// errors it held.
fn drain(socket: &UdpSocket) -> usize {
    let mut answer = [0u8; 1500];
    while socket.recv_from(&mut answer).is_ok() {}
    let fd = socket.as_raw_fd();
    let mut payload = [[0u8; 64]; BATCH];
    let mut control = [[0u8; 128]; BATCH];
    let mut names = [[0u8; 16]; BATCH];
    let mut total = 0;
    loop {
        let mut iov: Vec<IoVec> = payload
            .iter_mut()
            .map(|p| IoVec {
                base: p.as_mut_ptr(),
                len: p.len(),
            })
            .collect();
        let mut headers: Vec<MMsgHdr> = (0..BATCH)
            .map(|i| MMsgHdr {
                hdr: MsgHdr {
                    name: names[i].as_mut_ptr(),
                    namelen: 16,
                    iov: iov[i..].as_mut_ptr(),
                    iovlen: 1,
                    control: control[i].as_mut_ptr(),
                    controllen: 128,
                    flags: 0,
                },
                len: 0,
            })
            .collect();
        let flags = MSG_ERRQUEUE | MSG_DONTWAIT;
        // SAFETY: every header points at buffers that outlive the call, with their lengths.
        let n = unsafe {
            recvmmsg(fd, headers.as_mut_ptr(), BATCH as u32, flags, std::ptr::null_mut())
        };
        if n <= 0 {
            return total;
        }
        total += n as usize;
        if (n as usize) < BATCH {
            return total;
        }
    }
}

/// Sends the GET to every `threads`-th address of the range from `first`; returns (sent,
/// closed ports seen).
fn run(base: u32, count: u32, port: u16, first: u32, threads: u32) -> (usize, usize) {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    socket.set_nonblocking(true).expect("non-blocking");
    let one: i32 = 1;
    // SAFETY: a plain integer option on a socket this function owns.
    unsafe { setsockopt(socket.as_raw_fd(), IPPROTO_IP, IP_RECVERR, &one, 4) };
    let (mut sent, mut closed) = (0, 0);
    let mut i = first;
    while i < count {
        let to = SocketAddrV4::new(Ipv4Addr::from(base + i), port);
        // A send fails when an ICMP error is pending on the socket (it reports that instead)
        // or when the socket's buffer is full: either way, read the errors and try again.
        for _ in 0..8 {
            if socket.send_to(&GET, to).is_ok() {
                sent += 1;
                break;
            }
            closed += drain(&socket);
        }
        if sent % 32 == 0 {
            closed += drain(&socket);
        }
        i += threads;
    }
    std::thread::sleep(std::time::Duration::from_millis(20));
    closed += drain(&socket);
    (sent, closed)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: floor BASE/PREFIX PORT THREADS";
    let [_, range, port, threads] = &args[..] else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let (base, prefix) = range.split_once('/').expect(usage);
    let base: Ipv4Addr = base.parse().expect("an IPv4 address");
    let prefix: u32 = prefix.parse().expect("a prefix length");
    assert!((8..=32).contains(&prefix), "a prefix of 8 to 32 bits");
    let port: u16 = port.parse().expect("a port");
    let threads: u32 = threads.parse().expect("a thread count");
    let count = 1u32 << (32 - prefix);
    let base = u32::from(base) & !(count - 1);
    let totals = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || run(base, count, port, t, threads)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sending thread"))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!("sent {} closed {}", totals.0, totals.1);
}
