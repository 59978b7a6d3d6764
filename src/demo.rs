//! `boxoffice demo`: seeds a concert, schedules and users with points into the configured
//! store, then prints a walk-through of the whole seed flow as curl commands.

use chrono::{Duration, Utc};

use crate::app::AppState;
use crate::services::catalog::{self, ScheduleRequest};
use crate::services::idempotency::StoredResponse;
use crate::services::points;

const DEMO_USERS: [&str; 3] = ["Minji", "Hyun", "Sora"];
const DEMO_POINTS: i64 = 300_000;

/// Seeds the demo data and returns the walk-through to print.
///
/// # Errors
/// When the database refuses the seed data.
pub async fn seed(state: &AppState, base_url: &str) -> anyhow::Result<String> {
    let mut users = Vec::new();
    for name in DEMO_USERS {
        let (user_id, _) = state.users.create(name).await?;
        let no_key = |_: &_| StoredResponse {
            status: 200,
            body: String::new(),
        };
        points::charge(
            &state.db,
            user_id,
            DEMO_POINTS,
            state.settings.points.max_charge,
            None,
            no_key,
        )
        .await?;
        users.push(user_id);
    }
    let first_show = Utc::now() + Duration::days(30);
    let schedules = [0, 1].map(|day| ScheduleRequest {
        date: first_show + Duration::days(day),
        seat_count: 50,
        seat_price: 120_000,
    });
    let (concert_id, created) =
        catalog::create_concert(&state.db, "boxoffice Demo Live", &schedules).await?;
    let schedule = &created[0];
    let (user, seat) = (users[0], schedule.seat_ids[0]);
    let schedule_id = schedule.schedule_id;
    Ok(format!(
        r#"Demo data: concert {concert_id} with schedules {schedules:?} (50 seats each, 120,000 won),
users {users:?} with {DEMO_POINTS} points each. Walk through the seed flow:

  # 1. join the queue (poll until "status": "working"; the token stays the same)
  curl -s {base_url}/api/queue/{user}
  TOKEN=$(curl -s {base_url}/api/queue/{user} | sed 's/.*"token":"\([^"]*\)".*/\1/')
  # 2. bookable schedules, 3. the seat map
  curl -s -H "Authorization: Bearer $TOKEN" {base_url}/api/concerts/schedule
  curl -s -H "Authorization: Bearer $TOKEN" {base_url}/api/concert/schedule/{schedule_id}
  # 4. hold seat {seat} for five minutes
  curl -s -X POST -H "Authorization: Bearer $TOKEN" {base_url}/api/concert/schedule/{schedule_id}/seat/{seat}/reservation
  # 5. balance, 6. charge
  curl -s {base_url}/api/point/{user}
  curl -s -X PATCH -H 'Content-Type: application/json' -d '{{"amount": 1000}}' {base_url}/api/point/{user}
  # 7. pay (retries with the same Idempotency-Key return the same answer)
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Idempotency-Key: demo-1' {base_url}/api/concert/schedule/{schedule_id}/seat/{seat}/pay

API docs: {base_url}/docs
"#,
        schedules = created.iter().map(|s| s.schedule_id).collect::<Vec<_>>(),
    ))
}
