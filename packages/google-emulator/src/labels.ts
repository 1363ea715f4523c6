// Google localizes `type` into `formattedType` (and `protocol` into `formattedProtocol`); a custom
// label is returned as typed. These are the English forms for the standard values.

const FORMATTED_TYPES: Record<string, string> = {
  home: 'Home',
  work: 'Work',
  other: 'Other',
  mobile: 'Mobile',
  homeFax: 'Home Fax',
  workFax: 'Work Fax',
  otherFax: 'Other Fax',
  pager: 'Pager',
  workMobile: 'Work Mobile',
  workPager: 'Work Pager',
  main: 'Main',
  googleVoice: 'Google Voice',
  homePage: 'Home Page',
  blog: 'Blog',
  profile: 'Profile',
  appInstallPage: 'App Install Page',
  ftp: 'FTP',
  reservations: 'Reservations',
  anniversary: 'Anniversary',
  spouse: 'Spouse',
  child: 'Child',
  mother: 'Mother',
  father: 'Father',
  parent: 'Parent',
  brother: 'Brother',
  sister: 'Sister',
  friend: 'Friend',
  relative: 'Relative',
  domesticPartner: 'Domestic Partner',
  manager: 'Manager',
  assistant: 'Assistant',
  referredBy: 'Referred by',
  partner: 'Partner',
  school: 'School',
};

const FORMATTED_PROTOCOLS: Record<string, string> = {
  aim: 'AIM',
  msn: 'MSN',
  yahoo: 'Yahoo',
  skype: 'Skype',
  qq: 'QQ',
  googleTalk: 'Google Talk',
  icq: 'ICQ',
  jabber: 'Jabber',
  netMeeting: 'Net Meeting',
};

/** `formattedType` for a `type`: the English label of a standard value, else the custom label itself. */
export function formattedType(type: string): string {
  return FORMATTED_TYPES[type] ?? type;
}

/** `formattedProtocol` for an IM `protocol`. */
export function formattedProtocol(protocol: string): string {
  return FORMATTED_PROTOCOLS[protocol] ?? protocol;
}
