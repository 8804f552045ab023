"""TEMPO runs single-process: a backend_config here is not the PT-TEBD parallel knob."""
import oqupy

tempo = oqupy.Tempo(
    system=system,
    bath=bath,
    parameters=tempo_parameters,
    initial_state=initial_state,
    start_time=0.0,
    backend_config={"parallel": "multithread"},
)
dynamics = tempo.compute(end_time=5.0)

chain = oqupy.PtTebd(
    initial_augmented_mps=mps,
    system_chain=system_chain,
    process_tensors=process_tensors,
    parameters=pt_tebd_params,
    backend_config={"parallel": "multiprocess"},
)
