// What the generated CVs are made of: people from several countries (names with their diacritics), places and phone
// number shapes, employers, titles, schools, skills per kind of job, section names and date formats.

export interface Country {
  /** ISO 3166 code, for libphonenumber-js. */
  code: string;
  /** The name labels use (the parser's canonical name). */
  name: string;
  /** How CVs write it. */
  spellings: string[];
  cities: string[];
  /** National significant number shapes: a prefix and how many random digits follow. */
  phones: { prefix: string; digits: number }[];
  firstNames: string[];
  lastNames: string[];
}

export const COUNTRIES: Country[] = [
  {
    code: 'ES',
    name: 'Spain',
    spellings: ['Spain', 'España'],
    cities: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Málaga'],
    phones: [
      { prefix: '91', digits: 7 },
      { prefix: '6', digits: 8 },
    ],
    firstNames: ['José', 'María', 'Lucía', 'Álvaro', 'Íñigo', 'Begoña', 'Ramón'],
    lastNames: ['Ñúñez', 'García Peña', 'Ibáñez', 'Fernández', 'Muñoz', 'Cortés'],
  },
  {
    code: 'DE',
    name: 'Germany',
    spellings: ['Germany', 'Deutschland'],
    cities: ['Berlin', 'München', 'Hamburg', 'Köln', 'Düsseldorf'],
    phones: [
      { prefix: '30', digits: 8 },
      { prefix: '151', digits: 8 },
    ],
    firstNames: ['Jürgen', 'Zoë', 'Günther', 'Lena', 'Matthias', 'Anna-Lena'],
    lastNames: ['Brontë-Müller', 'Schäfer', 'Groß', 'Köhler', 'Weiß', 'Müller'],
  },
  {
    code: 'PL',
    name: 'Poland',
    spellings: ['Poland', 'Polska'],
    cities: ['Warszawa', 'Kraków', 'Wrocław', 'Gdańsk', 'Łódź'],
    phones: [
      { prefix: '22', digits: 7 },
      { prefix: '50', digits: 7 },
    ],
    firstNames: ['Łukasz', 'Małgorzata', 'Paweł', 'Zofia', 'Wojciech', 'Agnieszka'],
    lastNames: ['Wójcik', 'Krawczyk', 'Łęcka', 'Dąbrowski', 'Żmuda', 'Szczęsny'],
  },
  {
    code: 'IE',
    name: 'Ireland',
    spellings: ['Ireland'],
    cities: ['Dublin', 'Cork', 'Galway', 'Limerick'],
    phones: [
      { prefix: '1', digits: 7 },
      { prefix: '87', digits: 7 },
    ],
    firstNames: ['Siobhán', 'Seán', 'Aoife', 'Niamh', 'Ciarán', 'Pádraig'],
    lastNames: ['Ó Ceallaigh', 'Ní Bhriain', "O'Sullivan", 'Mac Giolla Phádraig', 'Byrne'],
  },
  {
    code: 'FR',
    name: 'France',
    spellings: ['France'],
    cities: ['Paris', 'Lyon', 'Toulouse', 'Nantes', 'Lille'],
    phones: [
      { prefix: '1', digits: 8 },
      { prefix: '6', digits: 8 },
    ],
    firstNames: ['François', 'Hélène', 'Amélie', 'Jérôme', 'Gaëlle', 'Loïc'],
    lastNames: ['Lefèvre', 'Dubois', 'Bézier', 'Moreau', 'Lemaître', 'Deschênes'],
  },
  {
    code: 'GB',
    name: 'United Kingdom',
    spellings: ['United Kingdom', 'UK'],
    cities: ['London', 'Manchester', 'Edinburgh', 'Bristol', 'Leeds'],
    phones: [
      { prefix: '20', digits: 8 },
      { prefix: '161', digits: 7 },
    ],
    firstNames: ['Emily', 'Oliver', 'Charlotte', 'Harry', 'Imogen'],
    lastNames: ['Whitaker', 'Thompson', 'Ashworth', 'Fitzgerald', 'Pemberton'],
  },
  {
    code: 'US',
    name: 'United States',
    spellings: ['United States', 'USA', 'US'],
    cities: ['New York', 'San Francisco', 'Austin', 'Seattle', 'Chicago', 'Boston'],
    phones: [
      { prefix: '212555', digits: 4 },
      { prefix: '415555', digits: 4 },
      { prefix: '512555', digits: 4 },
    ],
    firstNames: ['Michael', 'Sarah', 'Jessica', 'Daniel', 'Madison', 'Tyler'],
    lastNames: ['Johnson', 'Anderson', 'Martinez', 'Nguyen', 'Robinson'],
  },
  {
    code: 'NL',
    name: 'Netherlands',
    spellings: ['Netherlands', 'The Netherlands'],
    cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven'],
    phones: [
      { prefix: '20', digits: 7 },
      { prefix: '6', digits: 8 },
    ],
    firstNames: ['Sanne', 'Joost', 'Maarten', 'Fleur', 'Daan'],
    lastNames: ['van der Meer', 'de Vries', 'Bakker', 'van den Berg', 'Visser'],
  },
  {
    code: 'SE',
    name: 'Sweden',
    spellings: ['Sweden', 'Sverige'],
    cities: ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala'],
    phones: [
      { prefix: '8', digits: 8 },
      { prefix: '70', digits: 7 },
    ],
    firstNames: ['Björn', 'Åsa', 'Märta', 'Linnéa', 'Sören'],
    lastNames: ['Åkesson', 'Lindqvist', 'Söderberg', 'Öberg', 'Sjöström'],
  },
  {
    code: 'BR',
    name: 'Brazil',
    spellings: ['Brazil', 'Brasil'],
    cities: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba'],
    phones: [
      { prefix: '119', digits: 8 },
      { prefix: '21', digits: 8 },
    ],
    firstNames: ['João', 'Conceição', 'Gonçalo', 'Thaís', 'Luíza'],
    lastNames: ['Gonçalves', 'Simões', 'Araújo', 'Magalhães', 'Assunção'],
  },
  {
    code: 'IN',
    name: 'India',
    spellings: ['India'],
    cities: ['Bengaluru', 'Pune', 'Hyderabad', 'Chennai'],
    phones: [
      { prefix: '98', digits: 8 },
      { prefix: '80', digits: 8 },
    ],
    firstNames: ['Priya', 'Arjun', 'Rohan', 'Ananya', 'Vikram'],
    lastNames: ['Sharma', 'Iyer', 'Reddy', 'Chatterjee', 'Nair'],
  },
  {
    code: 'IT',
    name: 'Italy',
    spellings: ['Italy', 'Italia'],
    cities: ['Milano', 'Roma', 'Torino', 'Bologna'],
    phones: [
      { prefix: '02', digits: 8 },
      { prefix: '34', digits: 8 },
    ],
    firstNames: ['Niccolò', 'Chiara', 'Lucrezia', 'Mattia', 'Nicolò'],
    lastNames: ["Dell'Acqua", 'Rossi', 'Esposito', 'Galli', 'Lombardi'],
  },
];

export const EMPLOYERS = [
  'Globex Corporation',
  'Initech GmbH',
  'Nordwind Logistics AG',
  'Banco Solar S.A.',
  'Acme Robotics Ltd',
  'Hooli Inc.',
  'Umbrella Health',
  'Stark Industries',
  'Wayne Enterprises',
  'Vandelay Industries',
  'Cyberdyne Systems',
  'Soylent Foods',
  'Massive Dynamic',
  'Tyrell Technologies',
  'Blue Fjord Software AB',
  'Pied Piper',
  'Oceanic Airlines',
  'Monzo Bank',
  'Zalando SE',
  'Allegro sp. z o.o.',
  'Criteo',
  'Datadog',
  'Booking.com',
  'Shopify',
  'Spotify',
  'Adyen',
  'Infosys Limited',
  'Nubank',
  'Telefónica',
  'Société Générale',
  'Siemens AG',
  'Accenture',
  'Deloitte',
  'Kühne + Nagel',
  'Aperture Science',
  'Black Mesa Research',
  'Wonka Industries',
  'Gringotts Bank',
  'Los Pollos Hermanos',
  'Dunder Mifflin Paper Company',
  'Bluth Company',
  'Sterling Cooper',
];

export interface Track {
  kind: string;
  titles: [junior: string, mid: string, senior: string];
  headline: string;
  skills: string[];
  duties: string[];
}

// Duties name skills as {0}, {1}: filled with skills of the CV (their canonical names, or a spelling that is not an
// ordinary word), so every skill the text mentions is one the label lists.
export const TRACKS: Track[] = [
  {
    kind: 'backend',
    titles: ['Junior Software Developer', 'Software Engineer', 'Senior Backend Engineer'],
    headline: 'Backend Engineer',
    skills: [
      'Java',
      'Spring Boot',
      'PostgreSQL',
      'Kubernetes',
      'Docker',
      'Apache Kafka',
      'Redis',
      'Go',
      'Python',
      'gRPC',
      'Amazon Web Services',
      'Terraform',
      'Microservices',
      'Node.js',
      'TypeScript',
      'C#',
      '.NET',
      'MongoDB',
      'REST',
      'Linux',
    ],
    duties: [
      'Built and operated payment services in {0} and {1}, handling 4,000 requests per second.',
      'Migrated the monolith to {0} on {1}, cutting deployment time from hours to minutes.',
      'Designed the event pipeline on {0} and reduced order latency by 35%.',
      'Introduced contract tests and on-call runbooks for the {0} platform.',
    ],
  },
  {
    kind: 'frontend',
    titles: ['Junior Frontend Developer', 'Frontend Developer', 'Senior Frontend Engineer'],
    headline: 'Frontend Engineer',
    skills: [
      'JavaScript',
      'TypeScript',
      'React',
      'Redux',
      'Vue.js',
      'Angular',
      'HTML',
      'CSS',
      'Sass',
      'Webpack',
      'Jest',
      'Cypress',
      'Next.js',
      'GraphQL',
      'Figma',
      'Storybook',
      'Tailwind CSS',
      'Accessibility',
    ],
    duties: [
      'Rebuilt the checkout in {0} with {1}, raising conversion by 12%.',
      'Led the component library effort in {0} used by six product teams.',
      'Cut bundle size by 40% with {0} code splitting and lazy loading.',
      'Wrote end-to-end tests with {0} for every release.',
    ],
  },
  {
    kind: 'data',
    titles: ['Data Analyst', 'Data Scientist', 'Senior Data Scientist'],
    headline: 'Data Scientist',
    skills: [
      'Python',
      'SQL',
      'Pandas',
      'NumPy',
      'scikit-learn',
      'TensorFlow',
      'PyTorch',
      'Apache Spark',
      'Apache Airflow',
      'Tableau',
      'Power BI',
      'Machine Learning',
      'Statistics',
      'R',
      'BigQuery',
      'Snowflake',
      'dbt',
      'A/B testing',
    ],
    duties: [
      'Trained churn models with {0} and {1} that saved 2M EUR a year.',
      'Built the daily reporting pipeline on {0} feeding {1} dashboards.',
      'Ran pricing experiments and analysed them in {0}.',
      'Mentored four analysts and set up the team’s {0} standards.',
    ],
  },
  {
    kind: 'devops',
    titles: ['Systems Administrator', 'DevOps Engineer', 'Senior Site Reliability Engineer'],
    headline: 'DevOps Engineer',
    skills: [
      'Kubernetes',
      'Docker',
      'Terraform',
      'Ansible',
      'Amazon Web Services',
      'Google Cloud Platform',
      'Microsoft Azure',
      'Prometheus',
      'Grafana',
      'Linux',
      'Bash',
      'Python',
      'Go',
      'Jenkins',
      'GitHub Actions',
      'Helm',
      'CI/CD',
      'Nginx',
    ],
    duties: [
      'Ran 40 {0} clusters provisioned with {1}.',
      'Moved the build pipeline to {0}, halving build times.',
      'Set up monitoring with {0} and {1} and wrote the alerting rules.',
      'Automated server builds with {0} across three data centres.',
    ],
  },
  {
    kind: 'mobile',
    titles: ['Junior Mobile Developer', 'Mobile Developer', 'Senior iOS Engineer'],
    headline: 'Mobile Developer',
    skills: [
      'Swift',
      'Kotlin',
      'iOS',
      'Android',
      'React Native',
      'Flutter',
      'Dart',
      'Objective-C',
      'Firebase',
      'GraphQL',
      'Jetpack Compose',
      'Git',
      'CI/CD',
      'Unit testing',
    ],
    duties: [
      'Shipped the banking app in {0} to two million users.',
      'Rewrote the onboarding flow with {0}, lifting retention by 8%.',
      'Introduced {0} for code shared between {1} apps.',
      'Cut crash rate below 0.1% with {0} reporting.',
    ],
  },
  {
    kind: 'product',
    titles: ['Associate Product Manager', 'Product Manager', 'Senior Product Manager'],
    headline: 'Product Manager',
    skills: [
      'Product management',
      'Agile',
      'Scrum',
      'Jira',
      'Confluence',
      'Roadmapping',
      'A/B testing',
      'SQL',
      'Stakeholder management',
      'User research',
      'Figma',
      'OKRs',
      'Google Analytics',
      'Kanban',
    ],
    duties: [
      'Owned the roadmap for payments and ran discovery with {0}.',
      'Introduced {0} and quarterly {1} for three squads.',
      'Launched subscriptions, measured with {0}, adding 15% revenue.',
      'Ran weekly reviews with stakeholders using {0} and {1}.',
    ],
  },
  {
    kind: 'marketing',
    titles: ['Marketing Assistant', 'Digital Marketing Specialist', 'Head of Growth Marketing'],
    headline: 'Growth Marketer',
    skills: [
      'Digital marketing',
      'Search engine optimization',
      'Search engine marketing',
      'Google Analytics',
      'HubSpot',
      'Content marketing',
      'Email marketing',
      'Social media marketing',
      'Copywriting',
      'A/B testing',
      'WordPress',
      'Salesforce',
      'Microsoft Excel',
      'Canva',
    ],
    duties: [
      'Grew organic traffic 3x through {0} and {1}.',
      'Ran paid campaigns with {0} at a 4.2 ROAS.',
      'Built lifecycle journeys in {0} reaching 300k subscribers.',
      'Reported weekly on funnel metrics from {0}.',
    ],
  },
  {
    kind: 'finance',
    titles: ['Junior Accountant', 'Financial Analyst', 'Finance Manager'],
    headline: 'Financial Analyst',
    skills: [
      'Financial modeling',
      'Financial analysis',
      'Microsoft Excel',
      'SAP',
      'Power BI',
      'IFRS',
      'US GAAP',
      'Accounting',
      'Budgeting',
      'SQL',
      'QuickBooks',
      'Auditing',
      'Tableau',
      'Xero',
    ],
    duties: [
      'Built the three-statement model in {0} for the Series B.',
      'Closed the books monthly under {0} in {1}.',
      'Automated variance reports with {0}, saving two days a month.',
      'Prepared board packs with {0} dashboards.',
    ],
  },
];

export const SCHOOLS = [
  'Universidad de Salamanca',
  'Technical University of Munich',
  'University College Dublin',
  'Université Paris-Saclay',
  'Uniwersytet Jagielloński',
  'Politecnico di Milano',
  'KTH Royal Institute of Technology',
  'University of Edinburgh',
  'Delft University of Technology',
  'Universidade de São Paulo',
  'Indian Institute of Technology Bombay',
  'Trinity College Dublin',
  'Humboldt-Universität zu Berlin',
  'University of Texas at Austin',
  'École Polytechnique',
  'Stockholm School of Economics',
];

export const DEGREES: { short: string; long: string }[] = [
  { short: 'BSc', long: 'Bachelor of Science' },
  { short: 'MSc', long: 'Master of Science' },
  { short: 'BA', long: 'Bachelor of Arts' },
  { short: 'MBA', long: 'Master of Business Administration' },
  { short: 'PhD', long: 'Doctor of Philosophy' },
  { short: 'BEng', long: 'Bachelor of Engineering' },
];

export const FIELDS = [
  'Computer Science',
  'Software Engineering',
  'Mathematics',
  'Economics',
  'Statistics',
  'Business Administration',
  'Physics',
  'Information Systems',
];

export const CERTIFICATIONS = [
  'AWS Certified Solutions Architect – Associate',
  'Certified Kubernetes Administrator (CKA)',
  'Professional Scrum Master I (PSM I)',
  'Google Professional Data Engineer',
  'PMP – Project Management Professional',
  'Microsoft Certified: Azure Fundamentals',
  'CFA Level II',
  'Google Ads Search Certification',
];

export const SPOKEN = ['English', 'Spanish', 'German', 'French', 'Polish', 'Portuguese', 'Italian', 'Swedish', 'Dutch', 'Irish', 'Hindi'];
export const LEVELS = ['native', 'fluent', 'C1', 'B2', 'professional working proficiency', 'basic'];

export const SECTION_NAMES = {
  summary: ['Summary', 'Profile', 'About Me', 'Professional Summary', 'Objective'],
  experience: ['Experience', 'Work Experience', 'Work History', 'Professional Experience', 'Employment', 'Employment History', 'Career History'],
  education: ['Education', 'Academic Background', 'Education & Training', 'Qualifications', 'Academic History'],
  skills: ['Skills', 'Technical Skills', 'Core Competencies', 'Key Skills', 'Skills & Tools', 'Tech Stack', 'Expertise'],
  languages: ['Languages', 'Language Skills'],
  certifications: ['Certifications', 'Certificates', 'Licenses & Certifications', 'Courses & Certifications'],
};

export const DATE_FORMATS = ['mon-yyyy', 'mm/yyyy', 'yyyy-mm', 'yyyy', 'month-yyyy'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
