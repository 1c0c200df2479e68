using System.Collections.Concurrent;
using Hangfire.States;
using Hangfire.Storage;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Notes the Tasks jobs a worker takes over from a lost worker: Hangfire moves such a job from Processing to Processing
/// (it moves a job it fetches normally from Enqueued), in the state change just before it runs the job, on the same
/// worker. The run then takes its note (<see cref="TryTake"/>) and writes its Running record at once.
/// </summary>
internal sealed class RecoveredJobs : IApplyStateFilter
{
    // A note whose run never comes (Hangfire's commit of the state failed) is dropped once this many wait.
    private const int MaxNotes = 10_000;

    private readonly ConcurrentDictionary<string, byte> _notes = new(StringComparer.Ordinal);

    /// <summary>Whether the job was just taken over from a lost worker (and forgets it).</summary>
    public bool TryTake(string jobId) => _notes.TryRemove(jobId, out _);

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState?.Name == ProcessingState.StateName && context.OldStateName == ProcessingState.StateName)
        {
            if (_notes.Count >= MaxNotes)
            {
                _notes.Clear();
            }

            _notes[context.BackgroundJob.Id] = 0;
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
