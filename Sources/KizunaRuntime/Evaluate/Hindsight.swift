import KizunaCore

/// The hindsight bound of `kizuna evaluate`: the routine's own rule (margin, extra, up_margin,
/// up_extra, window, floor, ceiling) with its memory filled from the *whole* recording, future included. No
/// silence at home in the recording is longer than what it remembers, so by construction it
/// raises no false alarm on the recording; its latency over the cuts is the best this rule,
/// with these allowances, can do for this resident without a false alarm. It is not a device
/// (a device cannot know the future); it shows how far a latency target is from what the
/// allowances permit (EVALUATION.md).
enum Hindsight {
    /// A sign of life in the recording: motion starting, a door or the button moving.
    struct Sign {
        var at: WallTime
        var door: Bool
        /// The kind of silence that begins with it (`RoutineModel.places`): 1 in a room of rest.
        var place = 0
    }

    static func signs(_ recording: Recording, restRooms: [String] = []) -> [Sign] {
        recording.observations.compactMap { o in
            Evaluation.signOfLife(o, in: recording).map { s in
                guard case .level(let sensor, _, _) = o else { return Sign(at: s.at, door: s.door) }
                return Sign(at: s.at, door: s.door, place: restRooms.contains(recording.sensors[sensor].room) ? 1 : 0)
            }
        }
    }

    /// The routine model after every silence at home in the recording. A silence that begins
    /// with the door and lasts longer than `awayAfter` is taken as an absence and not learned,
    /// as the occupancy machine would (the door, then no motion: out).
    static func model(_ signs: [Sign], settings: RoutineSettings, offset: UTCOffset, awayAfter: Span) -> RoutineModel {
        var s = settings
        if let first = signs.first, let last = signs.last {
            s.memoryDays = max(s.memoryDays, Int((last.at - first.at).seconds / 86_400) + 2)
        }
        var model = RoutineModel(settings: s, offset: offset)
        for (p, n) in zip(signs, signs.dropFirst()) where !(p.door && n.at - p.at > awayAfter) {
            model.learn(signOfLifeAt: n.at, previous: p.at, place: model.places > 1 ? p.place : 0)
        }
        return model
    }

    /// Latency of each cut not `away` (the silence begins at the last sign at or before the cut).
    static func latencies(_ recording: Recording, settings: RoutineSettings, awayAfter: Span, cuts: [(at: WallTime, away: Bool)]) -> Evaluation.Latencies {
        let signs = signs(recording, restRooms: settings.restRooms)
        let model = model(signs, settings: settings, offset: recording.local, awayAfter: awayAfter)
        var l = Evaluation.Latencies(detected: [], misses: 0)
        for c in cuts where !c.away {
            var lo = 0, hi = signs.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if signs[mid].at <= c.at { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0 else { continue }
            let alarm = model.improbableSilence(since: signs[lo - 1].at, place: model.places > 1 ? signs[lo - 1].place : 0)
            l.detected.append(alarm > c.at ? alarm - c.at : .zero)
        }
        return l
    }
}
