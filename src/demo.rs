//! The demo data set, loaded on an empty store when `store.load_demo_on_empty` is set:
//! seven countries each with an NSO officer, an administrator, 42 teachers (validated and
//! not, with varied languages and subjects) and their schools, some registered years ago.
//! All demo accounts share one password, printed at start.

use time::Duration;

use crate::domain::catalog::MemberType;
use crate::domain::school::School;
use crate::domain::user::{normalise_email, User, Validation};
use crate::error::AppError;
use crate::ids::{SchoolId, UserId};
use crate::service::{accounts, passwords, schools, Core};

pub const DEMO_PASSWORD: &str = "twinhub-demo";
pub const DEMO_ADMIN: &str = "admin@demo.twinhub.test";

/// (country, main language, NSO officer name, schools as (name, city, years registered)).
type CountrySeed = (
    &'static str,
    &'static str,
    &'static str,
    [(&'static str, &'static str, i64); 2],
);

const COUNTRIES: [CountrySeed; 7] = [
    (
        "FR",
        "fr",
        "Claire Martin",
        [
            ("Lycée Victor Hugo", "Paris", 4),
            ("Collège Jean Moulin", "Lyon", 1),
        ],
    ),
    (
        "DE",
        "de",
        "Jürgen Schmidt",
        [
            ("Goethe-Gymnasium", "München", 5),
            ("Realschule am Park", "Köln", 0),
        ],
    ),
    (
        "ES",
        "es",
        "Lucía García",
        [
            ("IES Miguel de Cervantes", "Madrid", 3),
            ("Escola Gaudí", "Barcelona", 1),
        ],
    ),
    (
        "IT",
        "it",
        "Giulia Rossi",
        [
            ("Liceo Galileo Galilei", "Firenze", 6),
            ("Istituto Dante Alighieri", "Roma", 2),
        ],
    ),
    (
        "PL",
        "pl",
        "Agnieszka Kowalska",
        [
            ("Szkoła Podstawowa nr 5", "Łódź", 3),
            ("Liceum im. Kopernika", "Kraków", 0),
        ],
    ),
    (
        "EL",
        "el",
        "Ελένη Παπαδοπούλου",
        [
            ("1ο Γυμνάσιο Αθηνών", "Αθήνα", 4),
            ("Λύκειο Θεσσαλονίκης", "Θεσσαλονίκη", 1),
        ],
    ),
    (
        "UA",
        "uk",
        "Олена Шевченко",
        [("Ліцей №1", "Київ", 3), ("Гімназія №2", "Львів", 0)],
    ),
];

/// (name, subjects, extra language, validated, available for projects).
type TeacherSeed = (
    &'static str,
    &'static [&'static str],
    &'static str,
    bool,
    bool,
);

/// Six teachers per country, in the order of `COUNTRIES`.
const TEACHERS: [[TeacherSeed; 6]; 7] = [
    [
        (
            "Marie Dubois",
            &["foreign_languages", "history"],
            "en",
            true,
            true,
        ),
        ("Thomas Bernard", &["mathematics"], "en", true, false),
        ("Élodie Lefèvre", &["art", "music"], "it", false, true),
        (
            "Nicolas Moreau",
            &["physics", "chemistry"],
            "de",
            true,
            true,
        ),
        ("Sophie Laurent", &["pre_school"], "en", false, false),
        ("Hugo Girard", &["ict"], "es", true, true),
    ],
    [
        (
            "Anna Müller",
            &["biology", "environmental_education"],
            "en",
            true,
            true,
        ),
        ("Lukas Weber", &["ict", "mathematics"], "en", true, false),
        ("Sabine Fischer", &["music"], "fr", false, true),
        (
            "Jonas Becker",
            &["history", "citizenship"],
            "pl",
            true,
            true,
        ),
        ("Katrin Hoffmann", &["special_needs"], "en", false, false),
        ("Felix Wagner", &["physical_education"], "es", true, true),
    ],
    [
        ("Carmen López", &["language_literature"], "en", true, true),
        (
            "Javier Martínez",
            &["geography", "history"],
            "fr",
            true,
            false,
        ),
        ("Laura Sánchez", &["art"], "it", false, true),
        ("Pablo Fernández", &["technology", "ict"], "en", true, true),
        (
            "Marta Gómez",
            &["primary_school_subjects"],
            "pt",
            false,
            false,
        ),
        ("Diego Ruiz", &["music", "drama"], "en", true, true),
    ],
    [
        (
            "Francesca Bianchi",
            &["history", "european_studies"],
            "en",
            true,
            true,
        ),
        (
            "Marco Romano",
            &["mathematics", "physics"],
            "en",
            true,
            false,
        ),
        ("Chiara Colombo", &["foreign_languages"], "fr", false, true),
        ("Alessandro Ricci", &["philosophy"], "de", true, true),
        ("Sara Greco", &["natural_sciences"], "en", false, false),
        ("Luca Marino", &["economics"], "es", true, true),
    ],
    [
        (
            "Katarzyna Nowak",
            &["foreign_languages", "cross_curricular"],
            "en",
            true,
            true,
        ),
        ("Piotr Wiśniewski", &["chemistry"], "de", true, false),
        (
            "Magdalena Wójcik",
            &["pre_school", "art"],
            "en",
            false,
            true,
        ),
        ("Tomasz Kamiński", &["ict"], "en", true, true),
        ("Joanna Lewandowska", &["biology"], "fr", false, false),
        (
            "John Smithenson",
            &["language_literature", "drama"],
            "en",
            true,
            true,
        ),
    ],
    [
        (
            "Γιάννης Παπαδόπουλος",
            &["history", "geography"],
            "en",
            true,
            true,
        ),
        ("Μαρία Κωνσταντίνου", &["mathematics"], "fr", true, false),
        ("Νίκος Γεωργίου", &["physics"], "en", false, true),
        ("Κατερίνα Δημητρίου", &["art", "music"], "it", true, true),
        ("Δημήτρης Νικολάου", &["ict"], "en", false, false),
        (
            "Σοφία Αλεξίου",
            &["religion", "citizenship"],
            "en",
            true,
            true,
        ),
    ],
    [
        (
            "Олександр Коваленко",
            &["mathematics", "ict"],
            "en",
            true,
            true,
        ),
        (
            "Наталія Бондаренко",
            &["foreign_languages"],
            "pl",
            true,
            false,
        ),
        ("Андрій Мельник", &["history"], "en", false, true),
        (
            "Ірина Ткаченко",
            &["biology", "environmental_education"],
            "de",
            true,
            true,
        ),
        (
            "Сергій Кравчук",
            &["physical_education"],
            "en",
            false,
            false,
        ),
        ("Оксана Іваненко", &["art"], "en", true, true),
    ],
];

fn email_for(name: &str, country: &str, i: usize) -> String {
    let ascii: String = name
        .split_whitespace()
        .next()
        .unwrap_or("teacher")
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_lowercase();
    let local = if ascii.is_empty() {
        "teacher".to_string()
    } else {
        ascii
    };
    normalise_email(&format!(
        "{local}.{}{i}@demo.twinhub.test",
        country.to_lowercase()
    ))
}

fn demo_user(
    core: &Core,
    hash: &str,
    email: String,
    name: &str,
    country: &str,
    days_ago: i64,
) -> Result<User, AppError> {
    Ok(User::new_member(
        UserId(core.store.next_id()?),
        email,
        hash.to_string(),
        name.to_string(),
        Some(country.to_string()),
        core.clock.now() - Duration::days(days_ago),
    ))
}

/// Loads the data set. Every demo account shares one Argon2 hash (computed once: hashing
/// 50 passwords at OWASP cost would slow the first start for nothing).
pub fn load(core: &Core) -> Result<(), AppError> {
    let hash = passwords::hash(DEMO_PASSWORD)?;
    let now = core.clock.now();
    let mut admin = demo_user(
        core,
        &hash,
        DEMO_ADMIN.into(),
        "Platform Administrator",
        "FR",
        900,
    )?;
    admin.admin = true;
    accounts::insert_user(core, &admin)?;

    for (ci, (country, lang, officer_name, school_seeds)) in COUNTRIES.iter().enumerate() {
        let mut officer = demo_user(
            core,
            &hash,
            format!("nso.{}@demo.twinhub.test", country.to_lowercase()),
            officer_name,
            country,
            800,
        )?;
        officer.nso_country = Some(country.to_string());
        officer.profile.member_type = MemberType::Other;
        officer.profile.bio = format!("National Support Organisation, {country}");
        officer.profile.languages = vec![lang.to_string(), "en".into()];
        accounts::insert_user(core, &officer)?;

        let mut school_ids: Vec<SchoolId> = Vec::new();
        for (name, city, years) in school_seeds {
            let school = School {
                id: SchoolId(core.store.next_id()?),
                name: name.to_string(),
                country: country.to_string(),
                city: city.to_string(),
                registered_at: now - Duration::days(365 * years + 30),
                created_by: officer.id,
            };
            schools::insert_school(core, &school)?;
            school_ids.push(school.id);
        }

        for (ti, (name, subjects, extra_lang, validated, available)) in
            TEACHERS[ci].iter().enumerate()
        {
            let mut t = demo_user(
                core,
                &hash,
                email_for(name, country, ti + 1),
                name,
                country,
                30 + 97 * ti as i64,
            )?;
            t.profile.languages = vec![lang.to_string(), extra_lang.to_string()];
            t.profile.subjects = subjects.iter().map(|s| s.to_string()).collect();
            t.profile.member_type = if ti == 4 {
                MemberType::HeadTeacher
            } else {
                MemberType::Teacher
            };
            t.profile.available_for_projects = *available;
            t.profile.bio = format!("Teacher at {}.", school_seeds[ti % 2].0);
            if *validated {
                t.validation = Some(Validation {
                    by: officer.id,
                    at: now - Duration::days(20),
                });
            }
            accounts::insert_user(core, &t)?;
            schools::join(core, &t, t.id, school_ids[ti % 2])?;
        }
    }
    tracing::info!("demo data loaded");
    Ok(())
}

/// What to print at start so a newcomer can log in.
pub fn login_hint() -> String {
    format!(
        "Demo accounts (password '{DEMO_PASSWORD}'): administrator {DEMO_ADMIN}; \
         NSO officers nso.fr@, nso.de@, nso.es@, nso.it@, nso.pl@, nso.el@, nso.ua@demo.twinhub.test; \
         teachers e.g. marie.fr1@demo.twinhub.test, anna.de1@demo.twinhub.test, john.pl6@demo.twinhub.test"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::testing;
    use crate::store::Tree;

    #[test]
    fn the_demo_set_is_complete_and_logs_in() {
        let (core, _) = testing::core();
        load(&core).unwrap();
        let users = core
            .store
            .scan_prefix(Tree::UseridUser, &[], None, usize::MAX)
            .unwrap();
        assert_eq!(users.len(), 1 + 7 + 42);
        let marie = accounts::user_by_email(&core, "marie.fr1@demo.twinhub.test")
            .unwrap()
            .unwrap();
        assert!(marie.validation.is_some());
        assert!(passwords::verify(DEMO_PASSWORD, &marie.password_hash));
        for hinted in [
            "anna.de1@demo.twinhub.test",
            "john.pl6@demo.twinhub.test",
            "nso.el@demo.twinhub.test",
        ] {
            assert!(
                accounts::user_by_email(&core, hinted).unwrap().is_some(),
                "{hinted}"
            );
        }
        let old = core
            .store
            .scan_json::<School>(Tree::SchoolidSchool, &[], None, usize::MAX)
            .unwrap()
            .into_iter()
            .filter(|(_, s)| {
                crate::domain::school::registered_for_more_than_years(
                    s.registered_at,
                    core.clock.now(),
                    2,
                )
            })
            .count();
        assert!(
            old >= 5,
            "several schools registered over two years ago, saw {old}"
        );
        assert_eq!(schools::of_member(&core, marie.id).unwrap().len(), 1);
    }
}
