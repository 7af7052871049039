//! Styles, with and without colours. `NO_COLOR` (any non-empty value, see no-color.org)
//! leaves only bold and reverse video, which are not colours; nothing is said by colour
//! alone anywhere.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme { colour: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    fn pick(&self, coloured: Style, plain: Style) -> Style {
        if self.colour {
            coloured
        } else {
            plain
        }
    }

    pub fn header(&self) -> Style {
        self.pick(Style::new().bg(Color::Blue).fg(Color::White), Style::new())
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn subtitle(&self) -> Style {
        Style::new()
    }

    pub fn column_titles(&self) -> Style {
        self.pick(Style::new().fg(Color::Black).bg(Color::Green), Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED))
    }

    pub fn selected(&self) -> Style {
        self.pick(Style::new().bg(Color::Cyan).fg(Color::Black), Style::new().add_modifier(Modifier::REVERSED))
    }

    pub fn prompt(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.pick(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD), Style::new().add_modifier(Modifier::BOLD))
    }

    pub fn hint(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    pub fn chart(&self) -> Style {
        self.pick(Style::new().fg(Color::Yellow), Style::new())
    }
}
