//! Cluster mode (issue 13): several instances behind one load balancer share PostgreSQL and a
//! NATS JetStream bus that carries every frame to every instance.

#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the cluster follower that uses the bus is wired in separately"
    )
)]
pub(crate) mod bus;
