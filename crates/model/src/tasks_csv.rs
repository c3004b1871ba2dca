//! A space's tasks as CSV (RFC 4180) for spreadsheets: one row per task, with its board, column,
//! who claimed it, its labels, and a request's category and times (ISO 8601, UTC). Names of
//! columns and categories in the reader's language.

use crate::{Lang, Space, Timestamp, pick};

/// The header row, in the order of every row's cells.
pub const TASKS_CSV_HEADER: &str = "board,column,title,claimed_by,due,labels,category,raised_at,claimed_at,resolved_at,archived";

/// The tasks of `space` as CSV, each line ended with CRLF, names in `lang`.
///
/// ```
/// use linli_model::{Lang, Space, tasks_csv};
///
/// let csv = tasks_csv(&Space::default(), Lang::English);
/// assert_eq!(csv, "board,column,title,claimed_by,due,labels,category,raised_at,claimed_at,resolved_at,archived\r\n");
/// ```
pub fn tasks_csv(space: &Space, lang: Lang) -> String {
    let name_in = |names| pick(names, lang).unwrap_or_default().to_owned();
    let iso = |at: Option<Timestamp>| at.map(Timestamp::to_iso).unwrap_or_default();
    let mut rows = vec![TASKS_CSV_HEADER.to_owned()];
    for task in space.tasks.values() {
        let board = space.boards.get(&task.board);
        let column = board.and_then(|b| b.columns.get(&task.column)).map(|c| name_in(&c.names)).unwrap_or_default();
        let request = task.request.as_ref();
        let category = request.and_then(|r| space.categories.get(&r.category)).map(|c| name_in(&c.names)).unwrap_or_default();
        let labels: Vec<&str> = task.labels.keys().map(String::as_str).collect();
        let claimed_by = if task.claimed_by.is_empty() { String::new() } else { space.member_label(&task.claimed_by) };
        rows.push(
            [
                cell(board.map(|b| b.name.as_str()).unwrap_or_default()),
                cell(&column),
                cell(&task.title),
                cell(&claimed_by),
                iso(task.due),
                cell(&labels.join(";")),
                cell(&category),
                iso(request.map(|r| r.raised_at)),
                iso(request.and_then(|r| r.claimed_at)),
                iso(request.and_then(|r| r.resolved_at)),
                task.archived.to_string(),
            ]
            .join(","),
        );
    }
    rows.join("\r\n") + "\r\n"
}

/// One cell: quoted when it holds a comma, a quote or a line break (quotes doubled).
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Board, Column, Task};

    #[test]
    fn cells_that_hold_commas_quotes_or_line_breaks_are_quoted_and_times_are_iso() {
        let mut space = Space::default();
        let names = [("en".to_owned(), "To do".to_owned()), ("zh-Hans".to_owned(), "待办".to_owned())].into();
        let column = Column { names, position: "a".into(), archived: false };
        let board = Board { name: "Repairs, block 3".into(), position: "a".into(), columns: [("c1".to_owned(), column)].into(), archived: false };
        space.boards.insert("b1".into(), board);
        let task = Task {
            board: "b1".into(),
            column: "c1".into(),
            position: "a".into(),
            title: "Fix the \"big\" light\nin the stairwell".into(),
            description: String::new(),
            assignees: Default::default(),
            claimed_by: "ab12cd34ef".into(),
            due: Some(Timestamp(1_795_892_400_123)),
            labels: [("light".to_owned(), true), ("urgent".to_owned(), true)].into(),
            comments: Default::default(),
            request: None,
            sealed: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            archived: false,
        };
        space.tasks.insert("t1".into(), task);
        let csv = tasks_csv(&space, Lang::ZhHans);
        let row = csv.strip_prefix(&format!("{TASKS_CSV_HEADER}\r\n")).expect("the header first");
        assert_eq!(row, "\"Repairs, block 3\",待办,\"Fix the \"\"big\"\" light\nin the stairwell\",#ab12cd,2026-11-28T19:00:00.123Z,light;urgent,,,,,false\r\n");
    }
}
