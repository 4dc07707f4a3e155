#!/usr/bin/env python3
# Posts one small prompt per validation rule to a real ComfyUI 0.33.0 and writes (name, body, status, answer) lines.
import json, sys, urllib.request, urllib.error
port = sys.argv[1]; out = sys.argv[2]
def post(body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/prompt", data=body.encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()
def clean(status, text):
    if status == 200:
        pid = json.loads(text)["prompt_id"]
        for route, body in (("queue", {"delete": [pid]}), ("interrupt", {"prompt_id": pid})):
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/{route}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}))
E = lambda w=64, h=64, extra=None: {"class_type": "EmptyImage", "inputs": dict({"width": w, "height": h, "batch_size": 1, "color": 0}, **(extra or {}))}
P = lambda src: {"class_type": "PreviewImage", "inputs": {"images": src}}
S = lambda src: {"class_type": "SaveImage", "inputs": {"images": src, "filename_prefix": "x"}}
rules = {
 "valid": {"1": E(), "2": P(["1", 0])},
 "required_input_missing": {"1": {"class_type": "EmptyImage", "inputs": {"height": 64, "batch_size": 1, "color": 0}}, "2": P(["1", 0])},
 "bad_linked_input_length_1": {"1": E(), "2": P(["1"])},
 "bad_linked_input_length_3": {"1": E(), "2": P(["1", 0, 0])},
 "return_type_mismatch": {"1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}}, "2": P(["1", 0])},
 "return_type_comma_set": {"1": E(), "2": {"class_type": "ComfyNumberConvert", "inputs": {"value": ["1", 0]}}, "3": {"class_type": "PreviewAny", "inputs": {"source": ["2", 0]}}},
 "return_type_any": {"1": E(), "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "dependency_cycle": {"1": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": P(["2", 0])},
 "self_cycle": {"1": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "2": P(["1", 0])},
 "link_to_missing_node_inner": {"1": {"class_type": "ImageInvert", "inputs": {"image": ["99", 0]}}, "2": P(["1", 0])},
 "link_to_missing_node_output": {"1": P(["99", 0])},
 "link_to_missing_node_int_id": {"1": P([99, 0])},
 "link_slot_out_of_range_v1": {"1": E(), "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 5]}}, "3": P(["2", 0])},
 "link_slot_out_of_range_v3": {"1": {"class_type": "PrimitiveInt", "inputs": {"value": 1}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 3]}}},
 "link_slot_negative": {"1": E(), "2": P(["1", -1])},
 "link_slot_string": {"1": E(), "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", "0"]}}, "3": P(["2", 0])},
 "link_slot_float": {"1": E(), "2": P(["1", 0.0])},
 "link_slot_bool": {"1": E(), "2": P(["1", False])},
 "link_unhashable_id": {"1": E(), "2": {"class_type": "ImageInvert", "inputs": {"image": [["1"], 0]}}, "3": P(["2", 0])},
 "invalid_int_float_string": {"1": E(w="20.7"), "2": P(["1", 0])},
 "int_from_float_truncates": {"1": E(w=20.7), "2": P(["1", 0])},
 "int_from_string_spaces_underscores": {"1": E(w=" 4_2 "), "2": P(["1", 0])},
 "invalid_int_none": {"1": E(w=None), "2": P(["1", 0])},
 "invalid_int_dict": {"1": E(w={"a": 1}), "2": P(["1", 0])},
 "invalid_float_string": {"1": {"class_type": "ImageBlur", "inputs": {"image": ["2", 0], "blur_radius": 1, "sigma": "abc"}}, "2": E(), "3": P(["1", 0])},
 "float_from_string_inf": {"1": {"class_type": "ImageBlur", "inputs": {"image": ["2", 0], "blur_radius": 1, "sigma": "inf"}}, "2": E(), "3": P(["1", 0])},
 "float_repr_small": {"1": {"class_type": "ImageBlur", "inputs": {"image": ["2", 0], "blur_radius": 1, "sigma": 1e-05}}, "2": E(), "3": P(["1", 0])},
 "float_repr_big": {"1": {"class_type": "ImageBlur", "inputs": {"image": ["2", 0], "blur_radius": 1, "sigma": 1e16}}, "2": E(), "3": P(["1", 0])},
 "value_smaller_than_min": {"1": E(w=-5), "2": P(["1", 0])},
 "value_bigger_than_max": {"1": E(w=99999), "2": P(["1", 0])},
 "seed_max_ok": {"1": {"class_type": "SdkTestTextOutput", "inputs": {"text": "x", "seed": 18446744073709551615}}},
 "seed_above_max": {"1": {"class_type": "SdkTestTextOutput", "inputs": {"text": "x", "seed": 18446744073709551616}}},
 "seed_negative": {"1": {"class_type": "SdkTestTextOutput", "inputs": {"text": "x", "seed": -1}}},
 "value_not_in_list": {"1": {"class_type": "ImageToMask", "inputs": {"image": ["2", 0], "channel": "purple"}}, "2": E(), "3": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "value_not_in_list_repr": {"1": {"class_type": "ImageToMask", "inputs": {"image": ["2", 0], "channel": "it's \"x\" \u00e9\u0001"}}, "2": E(), "3": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "value_not_in_list_int": {"1": {"class_type": "ImageToMask", "inputs": {"image": ["2", 0], "channel": 1}}, "2": E(), "3": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "value_not_in_long_list": {"1": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "nope"}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "wrapped_value": {"1": E(w={"__value__": 32}), "2": P(["1", 0])},
 "wrapped_list_combo": {"1": {"class_type": "ImageToMask", "inputs": {"image": ["2", 0], "channel": {"__value__": ["red"]}}}, "2": E(), "3": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "number_as_string": {"1": E(w="32"), "2": P(["1", 0])},
 "boolean_from_string": {"1": {"class_type": "ImageStitch", "inputs": {"image1": ["2", 0], "direction": "right", "match_image_size": "false", "spacing_width": 0, "spacing_color": "white"}}, "2": E(), "3": P(["1", 0])},
 "string_from_number": {"1": E(), "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": 5}}},
 "unknown_class": {"1": {"class_type": "DoesNotExist", "inputs": {}}},
 "unknown_class_with_title": {"1": {"class_type": "DoesNotExist", "inputs": {}, "_meta": {"title": "My node"}}},
 "missing_class_type": {"1": {"inputs": {}}},
 "missing_class_type_with_title": {"1": {"inputs": {}, "_meta": {"title": "Titled"}}},
 "no_outputs": {"1": E()},
 "partial_outputs_failing": {"1": E(), "2": P(["1", 0]), "3": P(["99", 0])},
 "all_outputs_failing": {"1": E(w=-1), "2": P(["1", 0]), "3": S(["1", 0])},
 "node_replacement": {"1": {"class_type": "T2IAdapterLoader", "inputs": {"t2i_adapter_name": "x.pth"}, "_meta": {"title": "T2I"}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}},
 "node_replacement_without_meta": {"1": {"class_type": "T2IAdapterLoader", "inputs": {"t2i_adapter_name": "x.pth"}}},
 "autogrow_missing_first": {"1": E(), "2": {"class_type": "BatchImagesNode", "inputs": {"images.image1": ["1", 0]}}, "3": P(["2", 0])},
 "dynamic_combo_child_missing": {"1": E(), "2": {"class_type": "ResizeImageMaskNode", "inputs": {"input": ["1", 0], "resize_type": "scale by multiplier", "scale_method": "nearest-exact"}}, "3": P(["2", 0])},
 "dynamic_combo_unknown_key": {"1": E(), "2": {"class_type": "ResizeImageMaskNode", "inputs": {"input": ["1", 0], "resize_type": "nope", "scale_method": "nearest-exact"}}, "3": P(["2", 0])},
 "load_image_missing_file": {"1": {"class_type": "LoadImage", "inputs": {"image": "missing.png"}}, "2": P(["1", 0])},
 "load_image_no_input": {"1": {"class_type": "LoadImage", "inputs": {}}, "2": P(["1", 0])},
 "load_image_link": {"1": E(), "2": {"class_type": "LoadImage", "inputs": {"image": ["1", 0]}}, "3": P(["2", 0])},
 "inputs_missing": {"1": {"class_type": "ImageInvert"}, "2": P(["1", 0])},
 "server_error_node_not_object": {"1": 5},
 "server_error_inputs_not_object": {"1": {"class_type": "ImageInvert", "inputs": []}},
}
extra = {
 "partial_execution_targets": (json.dumps({"prompt": {"1": E(), "2": P(["1", 0]), "3": P(["99", 0])}, "partial_execution_targets": ["2"]})),
 "partial_execution_targets_none": (json.dumps({"prompt": {"1": E(), "2": P(["1", 0])}, "partial_execution_targets": ["7"]})),
 "nan_value": '{"prompt": {"1": {"class_type": "ImageBlur", "inputs": {"image": ["2", 0], "blur_radius": NaN, "sigma": 1.0}}, "2": ' + json.dumps(E()) + ', "3": ' + json.dumps(P(["1", 0])) + '}}',
 "infinity_int": '{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": Infinity, "height": 64, "batch_size": 1, "color": 0}}, "2": ' + json.dumps(P(["1", 0])) + '}}',
 "duplicate_key": '{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": -1, "width": 32, "height": 64, "batch_size": 1, "color": 0}}, "2": ' + json.dumps(P(["1", 0])) + '}}',
}
with open(out, "w") as f:
    items = [(k, json.dumps({"prompt": v})) for k, v in rules.items()] + list(extra.items())
    for name, body in items:
        status, text = post(body)
        clean(status, text)
        f.write(json.dumps({"name": name, "body": body, "status": status, "answer": text}) + "\n")
print(len(items))
