//! End-to-end tests: the real server on 127.0.0.1:0 over a real socket, on fresh SQLite files.

mod helpers;
mod live;

mod availability;
mod best_dates;
mod calendar;
mod calendar_import;
mod connections;
mod copy;
mod crash;
mod deadline;
mod limits;
mod meetings;
mod migration;
mod observability;
mod organiser;
mod outage;
mod participant_dates;
mod participants;
mod passwords;
mod ranking;
mod service;
mod times;
mod validation;
mod web;
