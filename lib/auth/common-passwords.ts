// Passwords of 10 or more characters that appear near the top of public breach corpora
// (the shapes of SecLists' "10k most common" and NCSC's "100k most common" lists: keyboard runs,
// digit runs, "password"/"welcome"/"letmein" with digits, repeated words), lower-cased.
// Together with the pattern checks in password.ts this refuses what guessing tools try first.
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "1234567890", "0123456789", "0987654321", "9876543210", "12345678910", "123456789a", "a123456789",
  "1234567890a", "123456789q", "qwertyuiop", "qwertyuiop1", "qwerty1234", "qwerty12345", "qwerty123456",
  "1234qwerty", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "q1w2e3r4t5y6", "1qaz2wsx3edc", "zaq12wsxcde3",
  "zaq1zaq1zaq1", "1qazxsw23edc", "asdfghjkl1", "asdfghjkl;", "asdfghjkl123", "zxcvbnm123", "zxcvbnmasdf",
  "qazwsxedcrfv", "qweasdzxc123", "qwertyuiopasdfghjkl", "password12", "password123", "password1234",
  "password12345", "password!1", "password1!", "password01", "passw0rd123", "p@ssw0rd123", "p@ssword123",
  "passwordpassword", "mypassword", "mypassword1", "mypassword123", "newpassword", "newpassword1",
  "changeme123", "changeme1234", "welcome123", "welcome1234", "welcome2024", "welcome2025", "welcome2026",
  "letmein123", "letmein1234", "iloveyou12", "iloveyou123", "iloveyou1234", "administrator", "administrator1",
  "admin12345", "admin123456", "adminadmin", "rootroot12", "abcdefghij", "abcdefghijk", "abcdefghijkl",
  "abcd123456", "abc1234567", "abcdef1234", "abcdefg123", "1234abcd12", "football123", "football12",
  "baseball123", "basketball", "basketball1", "superman123", "batman1234", "starwars123", "princess123",
  "sunshine123", "michael123", "liverpool1", "liverpool123", "chelsea123", "arsenal123", "manchester",
  "manchester1", "computer123", "internet123", "trustno1trustno1", "monkey12345", "dragon12345",
  "shadow12345", "master12345", "whatever123", "qwerasdfzxcv", "1234512345", "1122334455", "1212121212",
  "1231231231", "1234554321", "5555555555", "7777777777", "9999999999", "0000000000", "1111111111",
  "2222222222", "aaaaaaaaaa", "summer2024", "summer2025", "winter2024", "winter2025", "spring2025",
  "autumn2025", "january2025", "football2025", "research123", "university1", "university123",
  "colorization", "colorization1", "colourization", "turingtest1", "turingtest123",
]);
