//! Where a run writes: stdout for banners and data, stderr for diagnostics.

use crate::error::Result;

/// The output side of a run. The command layer provides the terminal
/// implementation; tests record into strings.
pub trait Console {
    /// Write to stdout (banners, `print` output, the final document).
    fn out(&mut self, text: &str) -> Result<()>;
    /// Write to stderr (warnings, condition errors).
    fn err(&mut self, text: &str);
    /// A task starts: progress indicators may show its name.
    fn progress(&mut self, _task: &str) {}
}

/// Records everything written, for tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Recorder {
    pub out: String,
    pub err: String,
}

#[cfg(test)]
impl Console for Recorder {
    fn out(&mut self, text: &str) -> Result<()> {
        self.out.push_str(text);
        Ok(())
    }
    fn err(&mut self, text: &str) {
        self.err.push_str(text);
    }
}
