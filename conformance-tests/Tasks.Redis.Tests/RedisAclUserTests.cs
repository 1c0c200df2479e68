using StackExchange.Redis;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>
/// On the real server, an ACL user whose keys and channels are limited to the app's prefix runs the whole life of a task
/// (enqueue, bulk enqueue, wake-up, take, results, delayed promotion, cancel): the adapter touches nothing outside its
/// prefix, so an app owner can give each app a user of its own.
/// </summary>
public sealed class RedisAclUserTests : RedisTestBase
{
    [Fact]
    public async Task A_user_limited_to_the_prefix_runs_every_step_of_a_task()
    {
        var prefix = NewPrefix("acl");
        var user = $"tasks-acl-{Guid.NewGuid():N}";
        var password = $"pw-{Guid.NewGuid():N}";
        var server = Admin.GetServer(Admin.GetEndPoints().Single());

        // Every command, but only the prefix's keys and channels (Redis checks the keys a script touches as well).
        await server.ExecuteAsync("ACL", "SETUSER", user, "reset", "on", $">{password}", $"~{prefix}:*", $"&{prefix}:*", "+@all");
        try
        {
            var host = Host(prefix, o =>
            {
                o.User = user;
                o.Password = password;
            });
            await host.StartWorkerAsync();

            var now = await host.Queue.EnqueueAsync(new RecordArgs("acl-now"));
            var many = await host.Queue.EnqueueManyAsync([new RecordArgs("acl-a"), new RecordArgs("acl-b")]);
            var later = await host.Queue.Delay(TimeSpan.FromMilliseconds(300)).EnqueueAsync(new RecordArgs("acl-later"));
            var cancelled = await host.Queue.Delay(TimeSpan.FromHours(1)).EnqueueAsync(new RecordArgs("acl-cancelled"));

            foreach (var id in new[] { now.Id, many[0].Id, many[1].Id, later.Id })
            {
                Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, id)).Status);
            }

            Assert.True(await host.Queue.CancelAsync(cancelled.Id));
            Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(cancelled.Id)).Status);

            // The user really is limited: a key outside the prefix is refused to it.
            await using var limited = await ConnectionMultiplexer.ConnectAsync($"{RedisTestServer.ConnectionString},user={user},password={password}");
            var refused = await Assert.ThrowsAsync<RedisServerException>(() => limited.GetDatabase().StringSetAsync($"outside-{Guid.NewGuid():N}", "x"));
            Assert.Contains("NOPERM", refused.Message, StringComparison.Ordinal);

            // And the adapter's connections really are that user's (Redis keeps a connection whose AUTH failed on the
            // default user, so a passing run alone would not show it).
            var clients = (string)(await server.ExecuteAsync("CLIENT", "LIST"))!;
            Assert.Contains(clients.Split('\n'), c => c.Contains($" user={user} ", StringComparison.Ordinal) && c.Contains($" name=tasks-{RedisTestHost.Alias} ", StringComparison.Ordinal));
        }
        finally
        {
            await server.ExecuteAsync("ACL", "DELUSER", user);
        }
    }
}
