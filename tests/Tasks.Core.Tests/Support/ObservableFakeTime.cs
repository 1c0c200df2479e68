using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Tasks.Core.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tracks its live timers and when each falls due, so a test can wait until a
/// worker is parked on the right timer before it moves the clock (moving it while the worker computes its wait races).
/// </summary>
internal sealed class ObservableFakeTime(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(start);
    private readonly ConcurrentDictionary<TrackedTimer, DateTimeOffset> _live = new();

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        tracked.Inner = _fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _live[tracked] = _fake.GetUtcNow() + dueTime;
        }

        return tracked;
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    /// <summary>Waits until a live (not disposed) timer falls due exactly at <paramref name="instant"/>.</summary>
    public Task LiveTimerDueAt(DateTimeOffset instant) => Eventually.TrueAsync(() => _live.Values.Contains(instant), $"a live timer due at {instant:O}");

    private sealed class TrackedTimer(ObservableFakeTime owner) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                owner._live.TryRemove(this, out _);
            }
            else
            {
                owner._live[this] = owner._fake.GetUtcNow() + dueTime;
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            owner._live.TryRemove(this, out _);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            owner._live.TryRemove(this, out _);
            return Inner.DisposeAsync();
        }
    }
}
