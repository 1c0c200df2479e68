using Xunit;

namespace Tasks.PostgreSql.Tests;

/// <summary>The group commit of result updates, with a stand-in for the database: what goes in which statement.</summary>
public sealed class ResultUpdateBatcherTests
{
    private static TaskResult Result(Guid id, long version) => TaskResult.ForEnqueued(new TaskEnvelope
    {
        Id = id.ToString(),
        TaskName = "batch.test",
        Queue = "default",
        Arguments = "{}",
    }, "pg") with { Version = version };

    [Fact]
    public async Task A_lone_update_is_sent_at_once_and_updates_arriving_meanwhile_share_the_next_statement()
    {
        var sent = new List<Guid[]>();
        var first = new TaskCompletionSource();
        var batcher = new ResultUpdateBatcher(async batch =>
        {
            sent.Add(batch.Select(u => u.Id).ToArray());
            if (sent.Count == 1)
            {
                await first.Task; // the first statement is still in flight while the others arrive
            }

            return batch.Select(u => u.Id).ToHashSet();
        });
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();

        var lone = batcher.UpdateAsync(Result(ids[0], 1), 0, CancellationToken.None);
        Assert.Single(sent); // sent before anything awaited
        var rest = ids.Skip(1).Select(id => batcher.UpdateAsync(Result(id, 1), 0, CancellationToken.None)).ToArray();
        first.SetResult();

        Assert.True(await lone);
        Assert.All(await Task.WhenAll(rest), Assert.True);
        Assert.Equal(2, sent.Count);
        Assert.Equal(ids.Skip(1), sent[1]);
    }

    [Fact]
    public async Task Two_updates_of_one_result_never_share_a_statement_and_keep_their_order()
    {
        var sent = new List<(Guid Id, long Version)[]>();
        var first = new TaskCompletionSource();
        var batcher = new ResultUpdateBatcher(async batch =>
        {
            sent.Add(batch.Select(u => (u.Id, u.Result.Version)).ToArray());
            if (sent.Count == 1)
            {
                await first.Task;
            }

            return batch.Select(u => u.Id).ToHashSet();
        });
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();

        var writes = new[]
        {
            batcher.UpdateAsync(Result(b, 1), 0, CancellationToken.None), // in flight
            batcher.UpdateAsync(Result(a, 1), 0, CancellationToken.None),
            batcher.UpdateAsync(Result(a, 2), 1, CancellationToken.None),
            batcher.UpdateAsync(Result(b, 2), 1, CancellationToken.None),
            batcher.UpdateAsync(Result(a, 3), 2, CancellationToken.None),
        };
        first.SetResult();
        await Task.WhenAll(writes);

        Assert.Equal([[(b, 1L)], [(a, 1L), (b, 2L)], [(a, 2L)], [(a, 3L)]], sent);
    }

    [Fact]
    public async Task A_failed_statement_fails_every_update_in_it_and_the_next_ones_are_sent()
    {
        var calls = 0;
        var gate = new TaskCompletionSource();
        var batcher = new ResultUpdateBatcher(async batch =>
        {
            if (++calls == 1)
            {
                await gate.Task;
                return batch.Select(u => u.Id).ToHashSet();
            }

            if (calls == 2)
            {
                throw new TaskBackendUnavailableException("postgresql-results", "updating results", new IOException("gone"));
            }

            return batch.Select(u => u.Id).ToHashSet();
        });

        var first = batcher.UpdateAsync(Result(Guid.NewGuid(), 1), 0, CancellationToken.None);
        var failing = Enumerable.Range(0, 3).Select(_ => batcher.UpdateAsync(Result(Guid.NewGuid(), 1), 0, CancellationToken.None)).ToArray();
        gate.SetResult();

        Assert.True(await first);
        foreach (var f in failing)
        {
            await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => f);
        }

        Assert.True(await batcher.UpdateAsync(Result(Guid.NewGuid(), 1), 0, CancellationToken.None));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task An_update_not_applied_by_the_database_answers_false()
    {
        var batcher = new ResultUpdateBatcher(_ => Task.FromResult<IReadOnlySet<Guid>>(new HashSet<Guid>()));

        Assert.False(await batcher.UpdateAsync(Result(Guid.NewGuid(), 1), 0, CancellationToken.None));
    }
}
