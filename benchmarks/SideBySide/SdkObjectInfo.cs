namespace ComfyUI.Client.SideBySide;

/// <summary>Workload (a) through the SDK: <c>/object_info</c> into the typed <see cref="NodeDefinition"/> model.</summary>
internal static class SdkObjectInfo
{
    public static async Task RunAsync(ComfyUIClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var nodes = await client.Discovery.GetObjectInfoAsync();
            if (!nodes.ContainsKey("KSampler"))
            {
                throw new InvalidOperationException("no KSampler");
            }
        }
    }
}
