//! The fonts compiled into riskreg: Liberation Sans (SIL Open Font License 1.1, see
//! `fonts/LICENSE-OFL.txt`), so that the PDF and the figure's PNG come out the same on any
//! machine, with no dependence on what fonts it has installed.

pub(crate) const FAMILY: &str = "Liberation Sans";

pub(crate) const LIBERATION_SANS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];
