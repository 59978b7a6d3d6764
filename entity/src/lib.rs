//! SeaORM entities for boxoffice's durable state: users and their points, the concert
//! catalogue, reservations, payments and idempotency records. Entities only: queries live in
//! the service's `store::db` module.

pub mod concert;
pub mod idempotency_record;
pub mod payment;
pub mod point;
pub mod point_history;
pub mod reservation;
pub mod schedule;
pub mod seat;
pub mod user;

pub mod prelude {
    pub use super::concert::Entity as Concert;
    pub use super::idempotency_record::Entity as IdempotencyRecord;
    pub use super::payment::Entity as Payment;
    pub use super::point::Entity as Point;
    pub use super::point_history::Entity as PointHistory;
    pub use super::reservation::Entity as Reservation;
    pub use super::schedule::Entity as Schedule;
    pub use super::seat::Entity as Seat;
    pub use super::user::Entity as User;
}
