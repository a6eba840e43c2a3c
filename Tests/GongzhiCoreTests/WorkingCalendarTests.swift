import Foundation
@testable import GongzhiCore
import Testing

@Suite struct WorkingCalendarTests {
    /// The notices as the product ships them, read straight from the resource files.
    static let years: [HolidayYear] = (2020...2026).map { year in
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GongzhiStore/Resources/reference/calendar/cn-holidays-\(year).json")
        return try! JSONDecoder().decode(HolidayYear.self, from: Data(contentsOf: url))
    }
    static let calendar = try! WorkingCalendar(years: years)

    static func t(_ s: String) -> Date { Timestamp.parse(s)! }
    static func day(_ s: String) -> Int64 { WorkingCalendar.day(s)! }

    @Test func weekdaysWeekendsHolidaysAndMakeUpDays() {
        let c = Self.calendar
        #expect(c.info(day: Self.day("2026-11-25")).working)                  // a Wednesday
        #expect(!c.info(day: Self.day("2026-11-28")).working)                 // a Saturday
        let nationalDay = c.info(day: Self.day("2026-10-01"))
        #expect(!nationalDay.working && nationalDay.holiday == "国庆节" && nationalDay.weekday == 4)
        let makeUp = c.info(day: Self.day("2026-10-10"))                      // Saturday worked for National Day
        #expect(makeUp.working && makeUp.weekday == 6 && makeUp.workdayFor == "国庆节")
        #expect(!c.info(day: Self.day("2026-02-17")).working)                 // Spring Festival
        #expect(c.info(day: Self.day("2026-02-14")).working)                  // Saturday worked for it
        #expect(c.info(day: Self.day("2025-01-26")).working)                  // Sunday worked for 2025's Spring Festival
        #expect(!c.info(day: Self.day("2025-02-04")).working)                 // last day of 2025's break
        #expect(!c.info(day: Self.day("2027-03-06")).known)                   // outside the notices on file
    }

    @Test func everyShippedYearIsConsistent() {
        for y in Self.years {
            for w in y.adjusted_workdays {
                let info = Self.calendar.info(day: Self.day(w.date))
                #expect(info.working && info.weekday >= 6, "\(w.date)")
            }
            #expect(y.holidays.count >= 6, "\(y.year)")  // 2023 merged Mid-Autumn and National Day
        }
    }

    @Test func workingHoursSkipNightsLunchAndWeekends() {
        let c = Self.calendar
        // Friday 16:00 + 2 h: 1.5 h on Friday, 0.5 h on Monday morning.
        #expect(c.addingWorkingHours(2, to: Self.t("2026-11-27T16:00:00+08:00")) == Self.t("2026-11-30T09:00:00+08:00"))
        // Across lunch: 11:00 + 2 h = 12:00 and then 13:30–14:30.
        #expect(c.addingWorkingHours(2, to: Self.t("2026-11-25T11:00:00+08:00")) == Self.t("2026-11-25T14:30:00+08:00"))
        // Reported at night: the clock starts at the next opening.
        #expect(c.addingWorkingHours(1, to: Self.t("2026-11-25T22:00:00+08:00")) == Self.t("2026-11-26T09:30:00+08:00"))
        // Exactly at closing time: nothing left today.
        #expect(c.addingWorkingHours(0.5, to: Self.t("2026-11-25T17:30:00+08:00")) == Self.t("2026-11-26T09:00:00+08:00"))
        #expect(abs(c.workingHours(from: Self.t("2026-11-27T16:00:00+08:00"), to: Self.t("2026-11-30T09:00:00+08:00")) - 2) < 1e-9)
    }

    @Test func deadlinesAcrossSpringFestivalAndNationalDay() {
        let c = Self.calendar
        // Dispatched on the last working day before the 2026 Spring Festival break (Fri 13 Feb):
        // Sat 14 Feb is a make-up working day, then 15–23 Feb are off.
        #expect(c.addingWorkingDays(1, to: Self.t("2026-02-13T10:00:00+08:00")) == Self.t("2026-02-14T17:30:00+08:00"))
        #expect(c.addingWorkingDays(2, to: Self.t("2026-02-13T10:00:00+08:00")) == Self.t("2026-02-24T17:30:00+08:00"))
        // 8 working hours from Saturday 14 Feb 13:30: 4 h that day, then 3.5 + 0.5 h on Tuesday 24 Feb.
        #expect(c.addingWorkingHours(8, to: Self.t("2026-02-14T13:30:00+08:00")) == Self.t("2026-02-24T14:00:00+08:00"))
        // National Day 2026: from Wed 30 Sep, the next working day is Thu 8 Oct, then Fri 9, then Sat 10 (make-up).
        #expect(c.addingWorkingDays(1, to: Self.t("2026-09-30T15:00:00+08:00")) == Self.t("2026-10-08T17:30:00+08:00"))
        #expect(c.addingWorkingDays(3, to: Self.t("2026-09-30T15:00:00+08:00")) == Self.t("2026-10-10T17:30:00+08:00"))
        // Natural hours do not care about holidays.
        #expect(DeadlineSpec(24, .naturalHours).due(from: Self.t("2026-09-30T15:00:00+08:00"), calendar: c) == Self.t("2026-10-01T15:00:00+08:00"))
    }

    /// For every holiday of 2025 and 2026: the last working day before the break and the first
    /// after it, read off the State Council's notices (国办发明电〔2024〕12号 and its 2026
    /// successor) by hand, make-up working days (调休) included. One working day from the first
    /// ends at the close of the second.
    @Test(arguments: [
        ("2025 元旦", "2024-12-31", "2025-01-02"), ("2025 春节", "2025-01-27", "2025-02-05"),
        ("2025 清明节", "2025-04-03", "2025-04-07"), ("2025 劳动节", "2025-04-30", "2025-05-06"),
        ("2025 端午节", "2025-05-30", "2025-06-03"), ("2025 国庆节、中秋节", "2025-09-30", "2025-10-09"),
        ("2026 元旦", "2025-12-31", "2026-01-04"),  // Sunday 4 Jan is worked
        ("2026 春节", "2026-02-14", "2026-02-24"),  // Saturday 14 Feb is worked
        ("2026 清明节", "2026-04-03", "2026-04-07"), ("2026 劳动节", "2026-04-30", "2026-05-06"),
        ("2026 端午节", "2026-06-18", "2026-06-22"), ("2026 中秋节", "2026-09-24", "2026-09-28"),
        ("2026 国庆节", "2026-09-30", "2026-10-08"),
    ])
    func oneWorkingDaySkipsTheWholeBreak(name: String, before: String, after: String) {
        let start = Self.t(before + "T10:00:00+08:00")
        #expect(Self.calendar.addingWorkingDays(1, to: start) == Self.t(after + "T17:30:00+08:00"), "\(name)")
        #expect(Self.calendar.isWorking(day: Self.day(before)) && Self.calendar.isWorking(day: Self.day(after)), "\(name)")
        // Every day strictly between is off.
        for d in (Self.day(before) + 1)..<Self.day(after) { #expect(!Self.calendar.isWorking(day: d), "\(name): day \(d)") }
    }

    @Test func badDataIsRefused() {
        let clash = HolidayYear(year: 2030, notice: nil, holidays: [.init(name: "x", days_off: ["2030-01-05"])],
                                adjusted_workdays: [.init(date: "2030-01-05", for: "x")])
        #expect(throws: ReferenceError.self) { try WorkingCalendar(years: [clash]) }
        let badDate = HolidayYear(year: 2030, notice: nil, holidays: [.init(name: "x", days_off: ["2030-02-30"])], adjusted_workdays: [])
        #expect(throws: ReferenceError.self) { try WorkingCalendar(years: [badDate]) }
        #expect(throws: ReferenceError.self) { try WorkingCalendar(years: [], officeHours: .init([510...720, 700...800])) }
    }
}

@Suite struct OfficeHoursTests {
    @Test func parsesAndRefuses() throws {
        #expect(WorkingCalendar.OfficeHours(parsing: "08:30-12:00,13:30-17:30") == .standard)
        #expect(WorkingCalendar.OfficeHours(parsing: "09:00-17:00")?.minutesPerDay == 480)
        for bad in ["", "9-17", "09:00-08:00", "09:00-25:00", "09:00", "09:00-12:00;13:00-17:00", "09:60-10:00"] {
            #expect(WorkingCalendar.OfficeHours(parsing: bad) == nil, "\(bad)")
        }
        let c = try WorkingCalendar(years: [], officeHours: #require(WorkingCalendar.OfficeHours(parsing: "09:00-17:00")))
        #expect(c.addingWorkingHours(1, to: Timestamp.parse("2026-11-25T16:30:00+08:00")!) == Timestamp.parse("2026-11-26T09:30:00+08:00")!)
    }
}
