//! First contact's sockets: one per address family, asking the kernel for the ICMP errors
//! that answer them (IP_RECVERR), and what reads those errors.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::net::UdpSocket;

use crate::snmp::contact::Transmit;

/// The sockets, one per family, opened when first needed.
#[derive(Default)]
pub(super) struct Sockets {
    pub(super) v4: Option<Arc<UdpSocket>>,
    pub(super) v6: Option<Arc<UdpSocket>>,
}

impl Sockets {
    pub(super) async fn for_address(&mut self, a: IpAddr) -> std::io::Result<Arc<UdpSocket>> {
        let (slot, bind) = match a {
            IpAddr::V4(_) => (&mut self.v4, "0.0.0.0:0"),
            IpAddr::V6(_) => (&mut self.v6, "[::]:0"),
        };
        if let Some(s) = slot {
            return Ok(s.clone());
        }
        let s = Arc::new(UdpSocket::bind(bind).await?);
        ask_for_icmp_errors(&s, a.is_ipv4());
        *slot = Some(s.clone());
        Ok(s)
    }
}

/// Asks the kernel to queue the ICMP errors that answer this socket's datagrams, with the
/// destination each was sent to. Without it (other systems), closed ports are timeouts.
///
/// Also gives the socket a receive buffer of [`RECEIVE_BUFFER`] bytes where the system allows
/// (beyond `net.core.rmem_max` only with CAP_NET_ADMIN), so that a burst of answers from
/// thousands of agents is not dropped while the sweep is sending.
#[cfg(target_os = "linux")]
fn ask_for_icmp_errors(socket: &UdpSocket, v4: bool) {
    use nix::sys::socket::{setsockopt, sockopt};
    let _ = if v4 {
        setsockopt(socket, sockopt::Ipv4RecvErr, &true)
    } else {
        setsockopt(socket, sockopt::Ipv6RecvErr, &true)
    };
    if setsockopt(socket, sockopt::RcvBufForce, &RECEIVE_BUFFER).is_err() {
        let _ = setsockopt(socket, sockopt::RcvBuf, &RECEIVE_BUFFER);
    }
}

/// The receive buffer first contact asks for.
const RECEIVE_BUFFER: usize = 8 << 20;

#[cfg(not(target_os = "linux"))]
fn ask_for_icmp_errors(_socket: &UdpSocket, _v4: bool) {}

/// How many times a probe's send is tried when it fails: a failed send may be reporting an
/// ICMP error of an earlier datagram instead of sending (each try takes one off).
const SEND_TRIES: usize = 4;

/// The destinations that answered with ICMP destination unreachable, from the socket's error
/// queue (never blocks). Read [`ERRORS_AT_ONCE`] to a system call (recvmmsg): a call that
/// brings fewer has emptied the queue, so a drain after one closed port costs one call, not
/// two.
#[cfg(target_os = "linux")]
pub(super) fn unreachable_destinations(socket: &UdpSocket) -> Vec<SocketAddr> {
    use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, recvmmsg};
    use std::os::fd::AsRawFd;
    let mut out = Vec::new();
    let mut payloads = [[0u8; 64]; ERRORS_AT_ONCE];
    // Bounded: the queue is drained, but never more than this many at one go.
    for _ in 0..4096 / ERRORS_AT_ONCE {
        // Made again for each call: the kernel shortens each header's lengths to what it
        // filled in, and nix does not set them back.
        let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(
            ERRORS_AT_ONCE,
            Some(nix::cmsg_space!(
                nix::libc::sock_extended_err,
                nix::libc::sockaddr_in6
            )),
        );
        let mut slices: Vec<[std::io::IoSliceMut<'_>; 1]> = payloads
            .iter_mut()
            .map(|p| [std::io::IoSliceMut::new(p)])
            .collect();
        let messages = match recvmmsg(
            socket.as_raw_fd(),
            &mut headers,
            slices.iter_mut(),
            MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT,
            None,
        ) {
            Ok(messages) => messages,
            // An empty queue.
            Err(nix::errno::Errno::EAGAIN) => break,
            // A kernel whose recvmmsg reports a pending socket error (an ICMP error come in
            // meanwhile) before it reads the error queue: the call took it off; read again
            // (within the loop's bound).
            Err(_) => continue,
        };
        let mut read = 0;
        for msg in messages {
            read += 1;
            if let Some(d) = unreachable(&msg) {
                out.push(d);
            }
        }
        if read < ERRORS_AT_ONCE {
            break;
        }
    }
    out
}

/// ICMP errors read from the error queue in one system call at most.
#[cfg(target_os = "linux")]
const ERRORS_AT_ONCE: usize = 64;

/// The destination of the datagram an error-queue message reports, if that report is ICMP
/// port unreachable (no agent listens there). Other unreachables (no route, filtered) are
/// silence, retried as usual.
#[cfg(target_os = "linux")]
fn unreachable(
    msg: &nix::sys::socket::RecvMsg<'_, '_, nix::sys::socket::SockaddrStorage>,
) -> Option<SocketAddr> {
    use nix::sys::socket::ControlMessageOwned;
    const SO_EE_ORIGIN_ICMP: u8 = 2;
    const SO_EE_ORIGIN_ICMP6: u8 = 3;
    let port_unreachable = msg.cmsgs().is_ok_and(|mut c| {
        c.any(|m| match m {
            ControlMessageOwned::Ipv4RecvErr(e, _) => {
                e.ee_origin == SO_EE_ORIGIN_ICMP && e.ee_type == 3 && e.ee_code == 3
            }
            ControlMessageOwned::Ipv6RecvErr(e, _) => {
                e.ee_origin == SO_EE_ORIGIN_ICMP6 && e.ee_type == 1 && e.ee_code == 4
            }
            _ => false,
        })
    });
    if !port_unreachable {
        return None;
    }
    msg.address.and_then(|a| {
        a.as_sockaddr_in()
            .map(|s| SocketAddr::from((s.ip(), s.port())))
            .or_else(|| {
                a.as_sockaddr_in6()
                    .map(|s| SocketAddr::from((s.ip(), s.port())))
            })
    })
}

#[cfg(not(target_os = "linux"))]
pub(super) fn unreachable_destinations(_socket: &UdpSocket) -> Vec<SocketAddr> {
    Vec::new()
}

pub(super) async fn readable(s: &Option<Arc<UdpSocket>>) {
    match s {
        // An ICMP error queued on the socket is an ERROR readiness, not a READABLE one.
        Some(s) => {
            let _ = s
                .ready(tokio::io::Interest::READABLE | tokio::io::Interest::ERROR)
                .await;
        }
        None => std::future::pending().await,
    }
}

/// Sends `t` through the socket of its family, opened when first needed.
pub(super) async fn send(sockets: &mut Sockets, t: Transmit) {
    // A send that fails (no route, refused by the host's own firewall) is silence, retried
    // like a lost datagram: its deadline is set all the same.
    let Ok(s) = sockets.for_address(t.destination.ip()).await else {
        return;
    };
    // An ICMP error that came in for an earlier datagram (to another address) is pending on
    // the socket (the socket asks for them: IP_RECVERR), and the kernel reports it on the next
    // send instead of sending: port or host unreachable, administratively prohibited, and the
    // others ICMP can say. That send took it off, so the datagram goes on the next try.
    // Without this, each closed port answered during a sweep cost another address a timeout.
    // Any error is tried again, a few times: one of the send's own (no route) merely repeats.
    for _ in 0..SEND_TRIES {
        if s.send_to(&t.payload, t.destination).await.is_ok() {
            break;
        }
    }
}
